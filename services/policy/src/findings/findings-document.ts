import { digestOf } from '@stella/canonical';
import type {
  FindingSeverity,
  PolicyInputComponent,
  PolicyInputFinding,
  PolicyInputVex,
} from '@stella/policy-engine';
import type { MatchResponse, MatchedFinding } from '../clients/intel-clients';

export const FINDINGS_SCHEMA = 'stella.findings-snapshot/v1';

/**
 * A findings snapshot: an image digest's findings as of one feed snapshot and one VEX state, in
 * the policy input's own shapes (so an evaluation copies them as they are). The image's components
 * are stored once per SBOM digest (sbom_components), not in every snapshot.
 */
export interface FindingsDocument {
  schema: typeof FINDINGS_SCHEMA;
  imageDigest: string;
  /** sha256 of the canonical SBOM the findings were matched from. */
  sbomDigest: string;
  /** When the scanner produced the SBOM, if it says. */
  scannedAt: string | null;
  feedSnapshotId: string;
  /** Digest of every VEX consensus consulted (vulnerability, product, status, documents); null: excititor unavailable. */
  vexSnapshotId: string | null;
  componentCount: number;
  findings: PolicyInputFinding[];
}

const LEVELS: Record<string, FindingSeverity> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  MODERATE: 'medium',
  LOW: 'low',
  NONE: 'none',
};

export function findingKey(f: Pick<PolicyInputFinding, 'id' | 'purl'>): string {
  return `${f.id}\u0000${f.purl}`;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A concelier match (+ the VEX consensus found for it) as a policy-input finding. */
export function inputFinding(match: MatchedFinding, vex: PolicyInputVex | null): PolicyInputFinding {
  return {
    id: match.advisoryId,
    aliases: [...new Set(match.aliases)].filter((a) => a !== match.advisoryId).sort(byString),
    purl: match.component.purl,
    installedVersion: match.component.version,
    severity: match.severity.level ? (LEVELS[match.severity.level.toUpperCase()] ?? 'unknown') : 'unknown',
    ...(match.severity.score !== null ? { cvss: match.severity.score } : {}),
    fixedVersions: [...match.fixedVersions],
    fixAvailable: match.fixedIn !== null,
    kev: match.kev !== null,
    ...(match.epss ? { epss: match.epss.score } : {}),
    ...(match.published ? { publishedAt: new Date(match.published).toISOString() } : {}),
    ...(vex ? { vex } : {}),
    rangeEvaluable: true,
  };
}

/** Component x advisory pairs concelier could not decide: findings whose range is not evaluable (unknowns). */
export function undeterminedFindings(match: Pick<MatchResponse, 'undetermined'>): PolicyInputFinding[] {
  return match.undetermined.map((u) => ({
    id: u.advisoryId,
    aliases: [],
    purl: u.purl,
    installedVersion: versionOfPurl(u.purl) ?? '',
    severity: 'unknown',
    fixedVersions: [],
    fixAvailable: false,
    kev: false,
    rangeEvaluable: false,
  }));
}

function versionOfPurl(purl: string): string | null {
  const at = purl.split('?')[0]!.split('#')[0]!.lastIndexOf('@');
  return at > 0 ? decodeURIComponent(purl.slice(at + 1).split('?')[0]!) : null;
}

/** The components of a CycloneDX SBOM, as the policy input lists them (licences included). */
export function sbomComponents(sbom: Record<string, unknown>): PolicyInputComponent[] {
  const list = Array.isArray(sbom.components) ? (sbom.components as Array<Record<string, unknown>>) : [];
  const out: PolicyInputComponent[] = [];
  for (const c of list) {
    if (!c || typeof c !== 'object') continue;
    const name = typeof c.name === 'string' && c.name.length > 0 ? c.name : typeof c.purl === 'string' ? c.purl : null;
    if (name === null) continue;
    const licenses: string[] = [];
    if (Array.isArray(c.licenses))
      for (const l of c.licenses as Array<Record<string, unknown>>) {
        const lic = l?.license as Record<string, unknown> | undefined;
        const text = typeof l?.expression === 'string' ? l.expression : (lic?.id ?? lic?.name);
        if (typeof text === 'string' && text.length > 0) licenses.push(text);
      }
    const purl = typeof c.purl === 'string' && c.purl.length > 0 ? c.purl : undefined;
    out.push({
      ...(purl ? { purl } : {}),
      name,
      ...(typeof c.version === 'string' && c.version.length > 0 ? { version: c.version } : {}),
      ...(licenses.length > 0 ? { licenses: licenses.sort(byString) } : {}),
      // A file the scanner could not tie to any package has neither purl nor version.
      identified: purl !== undefined || (typeof c.type === 'string' && c.type !== 'file'),
    });
  }
  return out.sort((a, b) => byString(`${a.purl ?? ''}\u0000${a.name}\u0000${a.version ?? ''}`, `${b.purl ?? ''}\u0000${b.name}\u0000${b.version ?? ''}`));
}

/** The VEX part of a document, digested: same consensus answers, same id. */
export function vexSnapshotIdOf(findings: readonly PolicyInputFinding[]): string {
  return digestOf({
    schema: 'stella.vex-snapshot/v1',
    consensus: findings.map((f) => ({
      key: findingKey(f),
      status: f.vex?.status ?? 'none',
      statements: f.vex ? [...f.vex.statementRefs].sort(byString) : [],
    })),
  });
}

/** Assembles the canonical document (findings sorted and deduplicated) and its content id. */
export function assembleFindings(input: {
  imageDigest: string;
  sbomDigest: string;
  scannedAt: string | null;
  feedSnapshotId: string;
  vexAvailable: boolean;
  componentCount: number;
  findings: readonly PolicyInputFinding[];
}): { id: string; document: FindingsDocument } {
  const byKey = new Map<string, PolicyInputFinding>();
  for (const f of input.findings) {
    const key = findingKey(f);
    const existing = byKey.get(key);
    // A decided pair beats an undetermined one for the same (advisory, purl).
    if (!existing || (existing.rangeEvaluable === false && f.rangeEvaluable)) byKey.set(key, f);
  }
  const findings = [...byKey.entries()].sort(([a], [b]) => byString(a, b)).map(([, f]) => f);
  const document: FindingsDocument = {
    schema: FINDINGS_SCHEMA,
    imageDigest: input.imageDigest,
    sbomDigest: input.sbomDigest,
    scannedAt: input.scannedAt,
    feedSnapshotId: input.feedSnapshotId,
    vexSnapshotId: input.vexAvailable ? vexSnapshotIdOf(findings) : null,
    componentCount: input.componentCount,
    findings,
  };
  return { id: digestOf(document), document };
}
