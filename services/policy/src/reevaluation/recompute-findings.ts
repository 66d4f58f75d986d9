import { Inject, Injectable } from '@nestjs/common';
import { STELLA_CONFIG } from '@stella/platform';
import type { PolicyInputComponent, PolicyInputFinding } from '@stella/policy-engine';
import { IntelClients } from '../clients/intel-clients';
import { UpstreamError } from '../clients/upstreams';
import { mapLimit } from '../common/map-limit';
import type { PolicyConfig } from '../config/policy-config';
import { BuildFindings, MissingSbomError, VexLookup, type BuiltFindings } from '../findings/build-findings.usecase';
import { assembleFindings, inputFinding, undeterminedFindings, type FindingsDocument } from '../findings/findings-document';
import { FindingsRepository } from '../findings/findings.repository';
import { packageKeysOfPurl, purlForPackageKey, versionlessPurl } from './package-keys';

export interface Recomputed {
  /** Digests the scanner's index named (the only ones looked at). */
  affected: string[];
  /** New snapshots of the digests whose findings changed. */
  changed: BuiltFindings[];
  /** Digests recomputed (affected digests with a previous snapshot, or built for the first time). */
  recomputed: number;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Recomputes findings without rescanning. The scanner's component index says which images hold
 * the packages concerned; only those digests are touched, and in each only the components
 * concerned are matched again (one concelier call for all of them: a minimal SBOM of the distinct
 * components), or only the findings of the vulnerability concerned are asked about VEX again.
 */
@Injectable()
export class RecomputeFindings {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: PolicyConfig,
    private readonly clients: IntelClients,
    private readonly build: BuildFindings,
    private readonly findings: FindingsRepository,
  ) {}

  /** After an advisory document: its package keys -> images holding them -> their components re-matched. */
  async forAdvisory(packageKeys: readonly string[]): Promise<Recomputed> {
    const keys = new Set(packageKeys);
    const purls = [...new Set(packageKeys.map(purlForPackageKey).filter((p): p is string => p !== null))].sort();
    if (purls.length === 0) return { affected: [], changed: [], recomputed: 0 };
    const answer = await this.clients.imagesContaining(purls.map((purl) => ({ purl })));
    const affected = [...new Set(answer.flatMap((r) => r.digests))].sort();
    const previous = await this.findings.currentMany(affected);
    // Components concerned, per digest, from the digests' stored SBOM components (no rescan).
    const concerned = new Map<string, PolicyInputComponent[]>();
    const distinct = new Map<string, PolicyInputComponent>();
    for (const [digest, list] of await this.findings.componentsMatching(affected, purls)) {
      const hit = list.filter((c) => c.purl && c.version && packageKeysOfPurl(c.purl).some((k) => keys.has(k)));
      concerned.set(digest, hit);
      for (const c of hit) distinct.set(c.purl!, c);
    }
    const vex = new VexLookup(this.clients);
    let matched = new Map<string, PolicyInputFinding[]>();
    let feedSnapshotId: string | null = null;
    if (distinct.size > 0) {
      const sbom = {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        components: [...distinct.values()].map((c) => ({ type: 'library', name: c.name, version: c.version, purl: c.purl })),
      };
      const match = await this.clients.match(sbom);
      if (match === null) throw new UpstreamError('concelier', 'FAILED', 'no feed snapshot');
      feedSnapshotId = match.snapshotId;
      matched = await this.byPurl(match.findings, vex, undeterminedFindings(match));
    }
    const changed: BuiltFindings[] = [];
    let recomputed = 0;
    const fresh: string[] = [];
    for (const digest of affected) {
      const prior = previous.get(digest)?.document;
      if (!prior) {
        fresh.push(digest);
        continue;
      }
      recomputed++;
      const purlsHere = new Set((concerned.get(digest) ?? []).map((c) => c.purl!));
      const kept = prior.findings.filter((f) => !purlsHere.has(f.purl));
      const added = [...purlsHere].flatMap((p) => matched.get(p) ?? []);
      const next = this.reassemble(prior, [...kept, ...added], feedSnapshotId ?? prior.feedSnapshotId, vex.available);
      if (next.id !== previous.get(digest)!.id) changed.push(next);
    }
    // Images scanned but never evaluated get their first snapshot the full way.
    const built = await mapLimit(fresh, this.config.policyReevaluationConcurrency, (digest) => this.fullBuild(digest, vex));
    for (const b of built)
      if (b) {
        changed.push(b);
        recomputed++;
      }
    return { affected, changed, recomputed };
  }

  /** After a VEX change: the images concerned (the digest itself, or those holding the purl) ask again about that vulnerability. */
  async forVex(vulnerabilityId: string, productKey: string): Promise<Recomputed> {
    let affected: string[];
    if (/^sha256:[a-f0-9]{64}$/.test(productKey)) affected = [productKey];
    else if (productKey.startsWith('pkg:')) {
      const answer = await this.clients.imagesContaining([{ purl: versionlessPurl(productKey) }]);
      affected = [...new Set(answer.flatMap((r) => r.digests))].sort();
    } else return { affected: [], changed: [], recomputed: 0 };
    const previous = await this.findings.currentMany(affected);
    const vex = new VexLookup(this.clients);
    const changed: BuiltFindings[] = [];
    let recomputed = 0;
    for (const digest of affected) {
      const prior = previous.get(digest)?.document;
      if (!prior) continue;
      recomputed++;
      const findings = await mapLimit(prior.findings, this.config.policyReevaluationConcurrency, async (f) => {
        if (f.id !== vulnerabilityId && !f.aliases.includes(vulnerabilityId)) return f;
        const answer = await vex.forFinding(
          {
            advisoryId: f.id,
            aliases: [...f.aliases],
            component: { purl: f.purl, name: '', version: f.installedVersion, ecosystem: '' },
          } as Parameters<VexLookup['forFinding']>[0],
          digest,
        );
        const { vex: _old, ...rest } = f;
        return answer ? { ...rest, vex: answer } : rest;
      });
      const next = this.reassemble(prior, findings, prior.feedSnapshotId, vex.available);
      if (next.id !== previous.get(digest)!.id) changed.push(next);
    }
    return { affected, changed, recomputed };
  }

  private async byPurl(
    findings: Parameters<BuildFindings['withVex']>[0],
    vex: VexLookup,
    undetermined: PolicyInputFinding[],
  ): Promise<Map<string, PolicyInputFinding[]>> {
    // VEX for an image digest product is asked per image later; here per purl only (shared by every image).
    const withVex = await mapLimit(findings, this.config.policyReevaluationConcurrency, async (m) =>
      inputFinding(m, await vex.forFinding(m, '')),
    );
    const out = new Map<string, PolicyInputFinding[]>();
    for (const f of [...withVex, ...undetermined]) {
      const list = out.get(f.purl) ?? [];
      list.push(f);
      out.set(f.purl, list);
    }
    return out;
  }

  private reassemble(
    prior: FindingsDocument,
    findings: PolicyInputFinding[],
    feedSnapshotId: string,
    vexAvailable: boolean,
  ): BuiltFindings {
    return assembleFindings({
      imageDigest: prior.imageDigest,
      sbomDigest: prior.sbomDigest,
      scannedAt: prior.scannedAt,
      feedSnapshotId,
      vexAvailable: vexAvailable && prior.vexSnapshotId !== null,
      componentCount: prior.componentCount,
      findings: findings.sort((a, b) => byString(`${a.id}\u0000${a.purl}`, `${b.id}\u0000${b.purl}`)),
    });
  }

  private async fullBuild(digest: string, vex: VexLookup): Promise<BuiltFindings | null> {
    try {
      return await this.build.compute(digest, vex);
    } catch (error) {
      if (error instanceof MissingSbomError) return null;
      throw error;
    }
  }
}
