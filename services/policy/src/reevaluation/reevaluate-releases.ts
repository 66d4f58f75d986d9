import { Inject, Injectable } from '@nestjs/common';
import { ProblemError } from '@stella/platform';
import type { PolicyInput } from '@stella/policy-engine';
import type { EntityManager } from 'typeorm';
import type { Logger } from '@stella/observability';
import { STELLA_LOGGER } from '@stella/platform';
import { POLICY_CLOCK, type Clock } from '../common/ports';
import { EvaluateRelease } from '../evaluations/evaluate-release.usecase';
import { EvaluationsRepository, type EvaluationCause } from '../evaluations/evaluations.repository';
import { PolicyEvents } from '../events/policy-events';
import type { BuiltFindings } from '../findings/build-findings.usecase';
import type { FindingsDocument } from '../findings/findings-document';
import { FindingsRepository, type FindingsCause } from '../findings/findings.repository';
import { ReleasesRepository } from '../releases/releases.repository';
import { inputFindings, riskDelta } from './release-delta';

export type RiskCause = Extract<EvaluationCause, { kind: 'advisory' | 'vex' }>;

export interface ReevaluationReport {
  snapshotsStored: number;
  releasesEvaluated: number;
  riskChanged: number;
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
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    private readonly findings: FindingsRepository,
    private readonly releases: ReleasesRepository,
    private readonly evaluate: EvaluateRelease,
    private readonly evaluations: EvaluationsRepository,
    private readonly events: PolicyEvents,
  ) {}

  async run(manager: EntityManager, changed: readonly BuiltFindings[], cause: RiskCause): Promise<ReevaluationReport> {
    const now = this.clock.now();
    const findingsCause: FindingsCause =
      cause.kind === 'advisory'
        ? { kind: 'advisory', advisoryId: cause.advisoryId, documentHash: cause.documentHash }
        : { kind: 'vex', vulnerabilityId: cause.vulnerabilityId, productKey: cause.productKey, documentHash: cause.documentHash };
    await this.findings.saveMany(manager, changed.map((c) => ({ ...c, cause: findingsCause })), now);
    const docs = new Map<string, FindingsDocument>(changed.map((c) => [c.document.imageDigest, c.document]));
    const watched = await this.releases.watchedContaining([...docs.keys()], manager);
    let evaluated = 0;
    let riskChanged = 0;
    for (const w of watched) {
      const previous = await this.evaluations.latestSummary(manager, w.tenantId, w.releaseId, w.environment);
      let result;
      try {
        result = await this.evaluate.execute(
          {
            tenantId: w.tenantId,
            requestedBy: 'system:policy-reevaluation',
            release: { id: w.releaseId },
            environment: w.environment,
            approvals: (previous?.approvals ?? []) as PolicyInput['approvals'],
            evaluationTime: now,
            cause,
            findings: docs,
          },
          manager,
        );
      } catch (error) {
        // Nothing to re-evaluate against: no policy bound there, or the release is not known yet.
        if (error instanceof ProblemError && (error.getStatus() === 409 || error.getStatus() === 422)) {
          this.logger.warn({ releaseId: w.releaseId, environment: w.environment, err: error }, 're-evaluation skipped');
          continue;
        }
        throw error;
      }
      evaluated++;
      const before = previous?.outcome ?? null;
      // Unchanged, or a first evaluation that allows: nothing to tell anyone.
      if (before === result.verdict.verdict || (before === null && result.verdict.verdict === 'allow')) continue;
      riskChanged++;
      await this.events.riskChanged(
        manager,
        {
          tenantId: w.tenantId,
          release: { id: result.row.releaseId, name: result.row.releaseName, version: result.row.releaseVersion },
          environment: w.environment,
          releaseState: w.state,
          previousVerdict: before as 'allow' | 'deny' | 'pending' | null,
          newVerdict: result.verdict.verdict,
          summary: result.verdict.summary.slice(0, 2048),
          delta: riskDelta((previous?.findings ?? null) as Parameters<typeof riskDelta>[0], inputFindings(result.input)),
          evaluationId: result.row.id,
          previousEvaluationId: previous?.id ?? null,
          cause:
            cause.kind === 'advisory'
              ? { kind: 'advisory', advisoryId: cause.advisoryId, documentHash: cause.documentHash, feedSnapshotId: cause.feedSnapshotId }
              : {
                  kind: 'vex',
                  vulnerabilityId: cause.vulnerabilityId,
                  productKey: cause.productKey,
                  status: cause.status,
                  documentId: cause.documentId,
                  documentHash: cause.documentHash,
                },
        },
        now,
      );
    }
    return { snapshotsStored: changed.length, releasesEvaluated: evaluated, riskChanged };
  }
}
