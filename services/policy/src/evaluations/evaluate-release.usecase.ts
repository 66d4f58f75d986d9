import { Inject, Injectable } from '@nestjs/common';
import { canonicalize, sha256Digest } from '@stella/canonical';
import { withTransaction } from '@stella/db';
import { ProblemError, STELLA_DATA_SOURCE } from '@stella/platform';
import {
  evaluatePolicy,
  evaluationIdOf,
  verdictBytes,
  type PolicyInput,
  type PolicyInputApproval,
  type PolicyVerdict,
} from '@stella/policy-engine';
import type { DataSource, EntityManager } from 'typeorm';
import { POLICY_CLOCK, type Clock } from '../common/ports';
import type { FindingsDocument } from '../findings/findings-document';
import { FindingsRepository } from '../findings/findings.repository';
import { CompiledPolicies } from '../policies/compiled-policies';
import { PoliciesRepository } from '../policies/policies.repository';
import { policyProblem } from '../policies/usecases/upload-policy.usecase';
import { ReleasesRepository, type ReleaseComponent } from '../releases/releases.repository';
import type { EvaluationCause, EvaluationRow } from './evaluations.repository';
import { EvaluationsRepository } from './evaluations.repository';
import { InputAssembler } from './input-assembler';

export interface EvaluateReleaseCommand {
  tenantId: string;
  requestedBy: string;
  release: {
    id: string;
    name?: string | undefined;
    version?: string | undefined;
    createdBy?: string | undefined;
    /** The release's images; default: the digests known from the orchestrator's release.created event. */
    components?: readonly ReleaseComponent[] | undefined;
  };
  environment: string;
  approvals: readonly PolicyInputApproval[];
  /** Default: now. Recorded in the input: the only clock the engine knows. */
  evaluationTime?: Date | undefined;
  refresh?: boolean | undefined;
  cause?: EvaluationCause;
  /** Findings just built by a re-evaluation (not read back from the store). */
  findings?: ReadonlyMap<string, FindingsDocument>;
}

export interface EvaluationResult {
  row: EvaluationRow;
  verdict: PolicyVerdict;
  input: PolicyInput;
  notes: string[];
  /** The evaluation this one replaced as the release's latest in the environment. */
  previous: { id: string; outcome: string } | null;
}

/**
 * Evaluates a release for an environment with the policy bound to it: assembles the input (the
 * release's findings, attestations, exceptions in force, deployed baseline), runs the engine and
 * stores the evaluation immutably with everything a replay needs (policy source, canonical input,
 * verdict bytes, engine version).
 */
@Injectable()
export class EvaluateRelease {
  constructor(
    @Inject(POLICY_CLOCK) private readonly clock: Clock,
    @Inject(STELLA_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly policies: PoliciesRepository,
    private readonly compiled: CompiledPolicies,
    private readonly releases: ReleasesRepository,
    private readonly assembler: InputAssembler,
    private readonly findings: FindingsRepository,
    private readonly evaluations: EvaluationsRepository,
  ) {}

  async execute(command: EvaluateReleaseCommand, manager?: EntityManager): Promise<EvaluationResult> {
    const policyRow = await this.policies.boundTo(command.tenantId, command.environment, manager);
    if (!policyRow)
      throw new ProblemError(409, {
        type: 'no-policy-bound',
        title: 'No policy bound to the environment',
        detail: `bind a policy to ${command.environment} (PUT /api/v1/environments/${command.environment}/policy)`,
      });
    const release = await this.resolveRelease(command, manager);
    const policy = this.compiled.get(policyRow.policyHash, policyRow.source);
    const evaluationTime = command.evaluationTime ?? this.clock.now();
    const assembled = await this.assembler.assemble(
      {
        tenantId: command.tenantId,
        release,
        environment: command.environment,
        approvals: command.approvals,
        evaluationTime,
        ...(command.findings ? { findings: command.findings } : {}),
        ...(command.refresh ? { refresh: true } : {}),
      },
      manager,
    );
    let verdict: PolicyVerdict;
    try {
      verdict = evaluatePolicy(policy, assembled.input);
    } catch (error) {
      throw policyProblem(error) ?? error;
    }
    const bytes = verdictBytes(verdict);
    const verdictDigest = sha256Digest(bytes);
    // The digest of (engine, policy, input, verdict): what the orchestrator's policy gate pins as evidence.
    const id = evaluationIdOf(verdict, verdictDigest);
    const now = this.clock.now();
    const row: EvaluationRow = {
      id,
      tenantId: command.tenantId,
      releaseId: release.id,
      releaseName: release.name,
      releaseVersion: release.version,
      environment: command.environment,
      policyName: policyRow.name,
      policyVersion: policyRow.version,
      policyHash: policyRow.policyHash,
      policySource: policyRow.source,
      inputDigest: verdict.inputDigest,
      inputDocument: canonicalize(assembled.input),
      verdictDigest,
      verdictBytes: Buffer.from(bytes).toString('utf8'),
      engineVersion: verdict.engineVersion,
      outcome: verdict.verdict,
      summary: verdict.summary,
      evaluatedAt: evaluationTime,
      createdAt: now,
      requestedBy: command.requestedBy,
      cause: command.cause ?? { kind: 'request', by: command.requestedBy },
    };
    const store = async (m: EntityManager): Promise<{ id: string; outcome: string } | null> => {
      const previous = await this.evaluations.latestOutcome(m, command.tenantId, release.id, command.environment);
      await this.findings.saveMany(
        m,
        assembled.built.map((b) => ({ ...b, cause: { kind: 'evaluation' as const } })),
        now,
      );
      await this.evaluations.insert(m, row);
      return previous;
    };
    const previous = manager ? await store(manager) : await withTransaction(this.dataSource, store);
    return { row, verdict, input: assembled.input, notes: assembled.notes, previous };
  }

  private async resolveRelease(command: EvaluateReleaseCommand, manager?: EntityManager) {
    const known = await this.releases.release(command.tenantId, command.release.id, manager);
    const components = command.release.components ?? known?.components;
    const name = command.release.name ?? known?.name;
    const version = command.release.version ?? known?.version;
    if (!components || components.length === 0 || !name || !version)
      throw new ProblemError(409, {
        type: 'release-unknown',
        title: 'Release not known to the policy service',
        detail: `${command.release.id}: pass release.components (name, digest) or wait for the orchestrator's release.created event`,
      });
    return {
      id: command.release.id,
      name,
      version,
      createdBy: command.release.createdBy ?? known?.createdBy ?? 'unknown',
      components,
    };
  }
}
