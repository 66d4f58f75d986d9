import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { ProblemError } from '@stella/platform';
import type { PolicyInput } from '@stella/policy-engine';
import type { EntityManager } from 'typeorm';
import type { Logger } from '@stella/observability';
import { STELLA_CONFIG, STELLA_LOGGER } from '@stella/platform';
import { mapLimit } from '../common/map-limit';
import type { PolicyConfig } from '../config/policy-config';
import { POLICY_CLOCK, type Clock } from '../common/ports';
import { EvaluateRelease } from '../evaluations/evaluate-release.usecase';
import { EvaluationsRepository, type EvaluationCause } from '../evaluations/evaluations.repository';
import type { AttestationMemo } from '../evaluations/input-assembler';
import { PolicyEvents } from '../events/policy-events';
import type { BuiltFindings } from '../findings/build-findings.usecase';
import type { FindingsDocument } from '../findings/findings-document';
import { FindingsRepository, type FindingsCause } from '../findings/findings.repository';
import { ReleasesRepository } from '../releases/releases.repository';
import { PoliciesRepository } from '../policies/policies.repository';
import { ExceptionsRepository } from '../exceptions/exceptions.repository';
import { inputFindings, riskDelta } from './release-delta';

export type RiskCause = Extract<EvaluationCause, { kind: 'advisory' | 'vex' | 'enrichment' }>;

function riskCause(cause: RiskCause) {
  switch (cause.kind) {
    case 'advisory':
      return { kind: 'advisory' as const, advisoryId: cause.advisoryId, documentHash: cause.documentHash, feedSnapshotId: cause.feedSnapshotId };
    case 'vex':
      return {
        kind: 'vex' as const,
        vulnerabilityId: cause.vulnerabilityId,
        productKey: cause.productKey,
        status: cause.status,
        documentId: cause.documentId,
        documentHash: cause.documentHash,
      };
    case 'enrichment':
      return {
        kind: 'enrichment' as const,
        source: cause.source,
        documentHash: cause.documentHash,
        feedSnapshotId: cause.feedSnapshotId,
        cveIds: [...cause.cveIds],
      };
  }
}

function findingsCauseOf(cause: RiskCause): FindingsCause {
  switch (cause.kind) {
    case 'advisory':
      return { kind: 'advisory', advisoryId: cause.advisoryId, documentHash: cause.documentHash };
    case 'vex':
      return { kind: 'vex', vulnerabilityId: cause.vulnerabilityId, productKey: cause.productKey, documentHash: cause.documentHash };
    case 'enrichment':
      return { kind: 'enrichment', source: cause.source, documentHash: cause.documentHash };
  }
}

export interface ReevaluationReport {
  snapshotsStored: number;
  releasesEvaluated: number;
  riskChanged: number;
  /** Milliseconds: reading what the evaluations need, preparing inputs and verdicts, writing. */
  readMs: number;
  prepareMs: number;
  writeMs: number;
}

/**
 * Stores the recomputed findings, re-evaluates every release deployed or awaiting promotion that
 * contains a changed digest, and raises `stella.release.risk_changed` where the verdict changed.
 * Runs in the caller's (inbox) transaction: snapshots, evaluations and events commit together.
 */
@Injectable()
export class ReevaluateReleases {
  constructor(
    @Inject(POLICY_CLOCK) private readonly clock: Clock,
    @Inject(STELLA_CONFIG) private readonly config: PolicyConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    private readonly findings: FindingsRepository,
    private readonly releases: ReleasesRepository,
    private readonly evaluate: EvaluateRelease,
    private readonly evaluations: EvaluationsRepository,
    private readonly events: PolicyEvents,
    private readonly policies: PoliciesRepository,
    private readonly exceptions: ExceptionsRepository,
  ) {}

  async run(manager: EntityManager, changed: readonly BuiltFindings[], cause: RiskCause): Promise<ReevaluationReport> {
    const now = this.clock.now();
    const t0 = performance.now();
    const findingsCause = findingsCauseOf(cause);
    await this.findings.saveMany(manager, changed.map((c) => ({ ...c, cause: findingsCause })), now);
    const docs = new Map<string, FindingsDocument>(changed.map((c) => [c.document.imageDigest, c.document]));
    const watched = await this.releases.watchedContaining([...docs.keys()], manager);
    const summaries = await this.evaluations.latestSummaries(manager, watched);
    // Everything the evaluations read, read once for the whole batch.
    const envKeys = watched.map((w) => ({ tenantId: w.tenantId, environment: w.environment }));
    const [policies, releases, exceptions, deployed] = await Promise.all([
      this.policies.boundToMany(envKeys),
      this.releases.releasesMany(watched),
      this.exceptions.inForceAtMany(this.exceptions.manager, envKeys, now),
      this.releases.deployedInMany(envKeys),
    ]);
    const allDigests = new Set<string>();
    for (const r of releases.values()) for (const c of r.components) allDigests.add(c.digest);
    for (const r of deployed.values()) for (const c of r.components) allDigests.add(c.digest);
    const findings = new Map<string, FindingsDocument>(docs);
    for (const [digest, row] of await this.findings.currentMany([...allDigests].filter((d) => !docs.has(d))))
      findings.set(digest, row.document);
    const t1 = performance.now();
    // The attestor is asked once per digest for the whole round, not once per release holding it.
    const attestations: AttestationMemo = new Map();
    // Inputs and verdicts are prepared side by side (reads on the pool, CPU here); the writes then
    // go in a few statements in the caller's transaction.
    const prepared = await mapLimit(watched, this.config.policyReevaluationConcurrency, async (w, index) => {
      try {
        return await this.evaluate.prepare({
          tenantId: w.tenantId,
          requestedBy: 'system:policy-reevaluation',
          release: { id: w.releaseId },
          environment: w.environment,
          approvals: (summaries[index]?.approvals ?? []) as PolicyInput['approvals'],
          evaluationTime: now,
          cause,
          findings,
          known: {
            policy: policies.get(`${w.tenantId}\u0000${w.environment}`) ?? null,
            release: releases.get(`${w.tenantId}\u0000${w.releaseId}`) ?? null,
            exceptions: exceptions.get(`${w.tenantId}\u0000${w.environment}`) ?? [],
            deployed: deployed.get(`${w.tenantId}\u0000${w.environment}`) ?? null,
            attestations,
          },
        });
      } catch (error) {
        // Nothing to re-evaluate against: no policy bound there, or the release is not known yet.
        if (error instanceof ProblemError && (error.getStatus() === 409 || error.getStatus() === 422)) {
          this.logger.warn({ releaseId: w.releaseId, environment: w.environment, err: error }, 're-evaluation skipped');
          return null;
        }
        throw error;
      }
    });
    const t2 = performance.now();
    const kept = prepared.flatMap((p, index) => (p ? [{ p, w: watched[index]!, summary: summaries[index] ?? null }] : []));
    const previous = await this.evaluate.storeMany(manager, kept.map((k) => k.p));
    const events = kept.flatMap(({ p, w, summary }, index) => {
      const before = previous[index]?.outcome ?? null;
      // Unchanged, or a first evaluation that allows: nothing to tell anyone.
      if (before === p.verdict.verdict || (before === null && p.verdict.verdict === 'allow')) return [];
      return [
        {
          tenantId: w.tenantId,
          release: { id: p.row.releaseId, name: p.row.releaseName, version: p.row.releaseVersion },
          environment: w.environment,
          releaseState: w.state,
          previousVerdict: before as 'allow' | 'deny' | 'pending' | null,
          newVerdict: p.verdict.verdict,
          summary: p.verdict.summary.slice(0, 2048),
          delta: riskDelta(
            summary && summary.id === previous[index]?.id ? (summary.findings as Parameters<typeof riskDelta>[0]) : null,
            inputFindings(p.input),
          ),
          evaluationId: p.row.id,
          previousEvaluationId: previous[index]?.id ?? null,
          cause: riskCause(cause),
        },
      ];
    });
    await this.events.riskChanged(manager, events, now);
    const evaluated = kept.length;
    const riskChanged = events.length;
    const t3 = performance.now();
    return {
      snapshotsStored: changed.length,
      releasesEvaluated: evaluated,
      riskChanged,
      readMs: Math.round(t1 - t0),
      prepareMs: Math.round(t2 - t1),
      writeMs: Math.round(t3 - t2),
    };
  }
}
