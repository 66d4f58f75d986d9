import { Inject, Injectable } from '@nestjs/common';
import { digestOf } from '@stella/canonical';
import { STELLA_CONFIG } from '@stella/platform';
import type { EntityManager } from 'typeorm';
import { IntelClients, type MatchResponse, type MatchedFinding } from '../clients/intel-clients';
import { isUpstreamError, UpstreamError } from '../clients/upstreams';
import { mapLimit } from '../common/map-limit';
import { POLICY_CLOCK, type Clock } from '../common/ports';
import type { PolicyConfig } from '../config/policy-config';
import type { PolicyInputComponent, PolicyInputFinding, PolicyInputVex } from '@stella/policy-engine';
import {
  assembleFindings,
  inputFinding,
  sbomComponents,
  undeterminedFindings,
  type FindingsDocument,
} from './findings-document';
import { FindingsRepository, type FindingsCause } from './findings.repository';

/** The scanner has no SBOM for the digest: the image was never scanned (or its scan failed). */
export class MissingSbomError extends Error {
  constructor(readonly digest: string) {
    super(`the scanner has no SBOM for ${digest}`);
    this.name = 'MissingSbomError';
  }
}

const CVE = /^CVE-\d{4}-\d+$/;

/** Per build: one consensus question per (vulnerability, product), asked once. */
export class VexLookup {
  private readonly cache = new Map<string, Promise<PolicyInputVex | null>>();
  available = true;

  constructor(private readonly clients: IntelClients) {}

  /** Tries the advisory id and its CVE aliases, for the purl and then the image; first definitive answer wins. */
  async forFinding(match: MatchedFinding, imageDigest: string): Promise<PolicyInputVex | null> {
    if (!this.available || !this.clients.http.configured('excititor')) {
      this.available = false;
      return null;
    }
    const ids = [match.advisoryId, ...match.aliases.filter((a) => CVE.test(a) && a !== match.advisoryId)];
    for (const product of [match.component.purl, imageDigest].filter((p) => p.length > 0))
      for (const id of ids) {
        const vex = await this.ask(id, product);
        if (vex) return vex;
      }
    return null;
  }

  private ask(vulnerabilityId: string, product: string): Promise<PolicyInputVex | null> {
    const key = `${vulnerabilityId}\u0000${product}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.clients.consensus(vulnerabilityId, product).then(
        (c) =>
          c === null || c.status === 'none'
            ? null
            : {
                status: c.status,
                ...(c.justification ? { justification: c.justification } : {}),
                statementRefs: [
                  ...new Set(
                    c.statements.filter((s) => s.used).map((s) => `${s.issuer}@${s.documentHash}`),
                  ),
                ].sort(),
              },
        (error: unknown) => {
          // VEX only ever suppresses: without excititor every finding counts, and the document says so.
          // 400: excititor cannot read this product key (an odd purl): no statement can exist for it.
          if (isUpstreamError(error) && error.status === 400) return null;
          if (isUpstreamError(error)) {
            this.available = false;
            return null;
          }
          throw error;
        },
      );
      this.cache.set(key, pending);
    }
    return pending;
  }
}

export interface BuiltFindings {
  id: string;
  document: FindingsDocument;
  /** The SBOM's components, when the snapshot was built from the SBOM (stored once per SBOM digest). */
  components?: PolicyInputComponent[];
}

/**
 * Findings of an image digest = the scanner's SBOM x concelier's matches x excititor's consensus,
 * stored as a content-addressed snapshot and made the digest's current one. Missing SBOM and an
 * unreachable scanner or concelier are errors (the caller fails closed); missing VEX is recorded.
 */
@Injectable()
export class BuildFindings {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: PolicyConfig,
    @Inject(POLICY_CLOCK) private readonly clock: Clock,
    private readonly clients: IntelClients,
    private readonly repository: FindingsRepository,
  ) {}

  async execute(digest: string, cause: FindingsCause, manager?: EntityManager): Promise<BuiltFindings> {
    const built = await this.compute(digest);
    await this.repository.saveMany(manager ?? this.repository.manager, [{ ...built, cause }], this.clock.now());
    return built;
  }

  /** Computes without storing (the evaluation stores what it used). */
  async compute(digest: string, vex: VexLookup = new VexLookup(this.clients)): Promise<BuiltFindings> {
    const sbom = await this.clients.sbom(digest);
    if (sbom === null) throw new MissingSbomError(digest);
    const match = await this.clients.match(sbom);
    if (match === null) throw new UpstreamError('concelier', 'FAILED', 'no advisories imported yet (no feed snapshot)');
    const findings = await this.withVex(match.findings, digest, vex);
    const components = sbomComponents(sbom);
    const built = assembleFindings({
      imageDigest: digest,
      sbomDigest: digestOf(sbom),
      scannedAt: scannedAtOf(sbom),
      feedSnapshotId: match.snapshotId,
      vexAvailable: vex.available,
      componentCount: components.length,
      findings: [...findings, ...undeterminedFindings(match)],
    });
    return { ...built, components };
  }

  async withVex(matches: readonly MatchedFinding[], digest: string, vex: VexLookup): Promise<PolicyInputFinding[]> {
    return mapLimit(matches, this.config.policyReevaluationConcurrency, async (m) =>
      inputFinding(m, await vex.forFinding(m, digest)),
    );
  }
}

/** CycloneDX `metadata.timestamp`, normalised to ISO 8601 UTC; null when absent or unparseable. */
export function scannedAtOf(sbom: Record<string, unknown>): string | null {
  const metadata = sbom.metadata as Record<string, unknown> | undefined;
  const timestamp = metadata?.timestamp;
  if (typeof timestamp !== 'string') return null;
  const time = new Date(timestamp);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

export type { MatchResponse };
