import { Inject, Injectable } from '@nestjs/common';
import { sha256Digest } from '@stella/canonical';
import { withTransaction } from '@stella/db';
import { ProblemError, STELLA_DATA_SOURCE } from '@stella/platform';
import {
  evaluatePolicy,
  evaluationIdOf,
  prepareInput,
  verdictBytes,
  type PolicyInput,
  type PolicyInputApproval,
  type PolicyVerdict,
} from '@stella/policy-engine';
import type { DataSource, EntityManager } from 'typeorm';
import { POLICY_CLOCK, type Clock } from '../common/ports';
import type { BuiltFindings } from '../findings/build-findings.usecase';
import type { FindingsDocument } from '../findings/findings-document';
import { FindingsRepository } from '../findings/findings.repository';
import { CompiledPolicies } from '../policies/compiled-policies';
import { PoliciesRepository, type PolicyVersionRow } from '../policies/policies.repository';
import type { ExceptionRecord } from '../exceptions/exception.model';
import { policyProblem } from '../policies/usecases/upload-policy.usecase';
import { ReleasesRepository, type ReleaseComponent, type TrackedRelease } from '../releases/releases.repository';
import type { EvaluationCause, EvaluationRow } from './evaluations.repository';
import { EvaluationsRepository } from './evaluations.repository';
import { InputAssembler, type AttestationMemo } from './input-assembler';
import { ComponentListTexts, splitInput } from './input-parts';

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
  /** Findings just built by a re-evaluation, or read for a batch (not read again). */
  findings?: ReadonlyMap<string, FindingsDocument>;
  /** Facts a batch already read; `null` means known to be absent. */
  known?: {
    policy?: PolicyVersionRow | null;
    release?: TrackedRelease | null;
    exceptions?: ExceptionRecord[];
    deployed?: TrackedRelease | null;
    /** Attestations asked once per digest for the whole batch. */
    attestations?: AttestationMemo;
  };
}

export interface PreparedEvaluation {
  row: EvaluationRow;
  verdict: PolicyVerdict;
  input: PolicyInput;
  notes: string[];
  /** Findings snapshots built while assembling the input (stored with the evaluation). */
  built: BuiltFindings[];
}

export interface EvaluationResult extends PreparedEvaluation {
  /** The evaluation this one replaced as the release's latest in the environment. */
  previous: { id: string; outcome: string } | null;
}

/** The finding facts a later re-evaluation compares with (what `riskDelta` reads), compact. */
function riskFacts(input: PolicyInput): unknown[] {
  return input.images.flatMap((image) =>
    image.findings.map((f) => ({
      id: f.id,
      purl: f.purl,
      severity: f.severity,
      fixAvailable: f.fixAvailable,
      kev: f.kev,
      ...(f.vex ? { vex: { status: f.vex.status } } : {}),
    })),
  );
}

/**
 * Evaluates a release for an environment with the policy bound to it: assembles the input (the
 * release's findings, attestations, exceptions in force, deployed baseline), runs the engine and
 * stores the evaluation immutably with everything a replay needs (policy source, canonical input,
 * verdict bytes, engine version).
 */
@Injectable()
export class EvaluateRelease {
  /** Canonical component lists per SBOM digest: an input's lists are stored apart, once each. */
  private readonly componentTexts = new ComponentListTexts();

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
    const prepared = await this.prepare(command, manager);
    const store = (m: EntityManager) => this.storeMany(m, [prepared]);
    const [previous] = manager ? await store(manager) : await withTransaction(this.dataSource, store);
    return { ...prepared, previous: previous ?? null };
  }

  /**
   * Stores prepared evaluations in the caller's transaction, a few statements for any number:
   * the findings snapshots built on the way, the evaluations, and the latest-verdict pointers
   * (locked first, so the previous verdicts returned are the ones replaced).
   */
  async storeMany(manager: EntityManager, prepared: readonly PreparedEvaluation[]): Promise<Array<{ id: string; outcome: string } | null>> {
    if (prepared.length === 0) return [];
    const now = this.clock.now();
    const previous = await this.evaluations.lockOutcomes(
      manager,
      prepared.map((p) => ({ tenantId: p.row.tenantId, releaseId: p.row.releaseId, environment: p.row.environment })),
    );
    await this.findings.saveMany(
      manager,
      prepared.flatMap((p) => p.built.map((b) => ({ ...b, cause: { kind: 'evaluation' as const } }))),
      now,
    );
    await this.evaluations.insertMany(
      manager,
      prepared.map((p) => p.row),
      prepared.map((p) => ({ approvals: [...p.input.approvals], findings: riskFacts(p.input) })),
    );
    return previous;
  }

  /** Everything but the writes: the policy, the input, the verdict and the evaluation row. */
  async prepare(command: EvaluateReleaseCommand, manager?: EntityManager): Promise<PreparedEvaluation> {
    const policyRow =
      command.known?.policy !== undefined ? command.known.policy : await this.policies.boundTo(command.tenantId, command.environment, manager);
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
        ...(command.known
          ? {
              known: {
                ...(command.known.exceptions ? { exceptions: command.known.exceptions } : {}),
                ...(command.known.deployed !== undefined ? { deployed: command.known.deployed } : {}),
                ...(command.known.attestations ? { attestations: command.known.attestations } : {}),
              },
            }
          : {}),
      },
      manager,
    );
    let verdict: PolicyVerdict;
    let input: ReturnType<typeof prepareInput>;
    try {
      // Validated and canonicalised once: the engine evaluates these bytes and they are what is stored.
      input = prepareInput(assembled.input);
      verdict = evaluatePolicy(policy, input);
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
      inputDocument: input.canonical,
      storedInput: splitInput(input.canonical, input.input, this.componentTexts),
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
    return { row, verdict, input: input.input, notes: assembled.notes, built: assembled.built };
  }

  private async resolveRelease(command: EvaluateReleaseCommand, manager?: EntityManager) {
    const known =
      command.known?.release !== undefined ? command.known.release : await this.releases.release(command.tenantId, command.release.id, manager);
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
