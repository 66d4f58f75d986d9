import { Injectable } from '@nestjs/common';
import { actorName, eventActor, ORCHESTRATOR_ACTOR, type Actor } from '../common/actor';
import { OrchestratorError, type OrchestratorErrorCode } from '../common/errors';
import type { TenantId } from '../common/tenancy';
import { buildDecisionRecord } from '../decisions/decision-record';
import { OrchestratorEvents, type OrchestratorEventType } from '../events/orchestrator-events';
import type { Tx } from '../persistence/unit-of-work';
import {
  decisionInputsOf,
  decisionReasons,
  evaluateGates,
  gateEvaluations,
  verdictOf,
  type GateContext,
  type NamedGateResult,
} from '@stella/gates';
import { GateRegistry } from './gates/gate-registry';
import { assertTransition, type ApprovalView, type EvaluationSummary, type GateEvaluation, type PromotionState, type TransitionView } from './promotion.model';
import { PromotionsRepository, type EnvironmentFacts, type PromotionRecord, type PromotionWrite } from './promotions.repository';

/** What one transaction does to one promotion; `PromotionFlow.save` writes it. */
export class PromotionChange {
  readonly transitions: TransitionView[] = [];
  decision: PromotionWrite['decision'];
  approval: PromotionWrite['approval'];
  private current: PromotionState | null;

  constructor(
    readonly record: PromotionRecord,
    readonly isNew: boolean,
  ) {
    this.current = isNew ? null : record.state;
  }

  get state(): PromotionState | null {
    return this.current;
  }

  write(): PromotionWrite {
    return {
      record: this.record,
      isNew: this.isNew,
      transitions: this.transitions,
      ...(this.decision ? { decision: this.decision } : {}),
      ...(this.approval ? { approval: this.approval } : {}),
    };
  }

  /** Applies one transition (checked against the state machine); returns it. */
  apply(to: PromotionState, actor: Actor, at: string, reason?: string, decisionId?: string): TransitionView {
    assertTransition(this.current, to);
    const transition: TransitionView = {
      seq: this.record.seq + 1,
      from: this.current,
      to,
      at,
      actor: actorName(actor),
      ...(reason === undefined ? {} : { reason: reason.length > 2048 ? `${reason.slice(0, 2045)}...` : reason }),
      ...(decisionId === undefined ? {} : { decisionId }),
    };
    this.transitions.push(transition);
    this.current = to;
    this.record.state = to;
    this.record.seq = transition.seq;
    this.record.updatedAt = at;
    return transition;
  }
}

export interface Evaluation {
  summary: EvaluationSummary;
  results: NamedGateResult[];
  /** What the gates looked at: recorded with the decision (libs/gates decision inputs) for replay. */
  context: GateContext;
}

/**
 * The promotion state machine's moves shared by every use case: evaluate gates, decide (with a
 * decision record), start deployments, and write transitions with their events and audit entries.
 */
@Injectable()
export class PromotionFlow {
  constructor(
    private readonly gates: GateRegistry,
    private readonly promotions: PromotionsRepository,
    private readonly events: OrchestratorEvents,
  ) {}

  /** Runs the environment's gates in their configured order (libs/gates). */
  async evaluate(context: GateContext): Promise<Evaluation> {
    const results = await evaluateGates(context, (name) => this.gates.current(name));
    const gates: GateEvaluation[] = gateEvaluations(results);
    return { summary: { evaluatedAt: context.now.toISOString(), verdict: verdictOf(results), gates }, results, context };
  }

  /**
   * Moves an evaluated promotion on: pending -> awaiting_approval (or stays there), allow ->
   * approved (+ deployment start), deny -> rejected. Allow and deny produce a decision record.
   * Returns the refusal to answer with when denied (the rejection itself is committed).
   */
  async decide(
    tx: Tx,
    change: PromotionChange,
    facts: { environment: EnvironmentFacts; path: { environments: string[]; allowSkip: boolean }; approvals: ApprovalView[] },
    evaluation: Evaluation,
    actor: Actor,
    extra: { denyReason?: string } = {},
  ): Promise<OrchestratorError | undefined> {
    const at = tx.now.toISOString();
    change.record.lastEvaluation = evaluation.summary;
    let verdict = evaluation.summary.verdict;
    if (extra.denyReason !== undefined) verdict = 'deny';
    if (verdict === 'pending') {
      if (change.state !== 'awaiting_approval') {
        this.transition(tx, change, 'awaiting_approval', actor, at, pendingReasons(evaluation).join('; '));
      } else {
        change.record.updatedAt = at;
      }
      return undefined;
    }
    const reasons = decisionReasons(verdict, evaluation.results, extra.denyReason);
    const decision = buildDecisionRecord({
      tenant: tx.tenant,
      release: change.record.release,
      environment: facts.environment,
      path: facts.path,
      verdict,
      reasons,
      gates: evaluation.summary.gates,
      approvals: facts.approvals,
      evaluatedAt: at,
    });
    // Everything the decision was made from, so `stella replay` can re-run its gates (libs/gates).
    const inputs = decisionInputsOf({
      context: evaluation.context,
      results: evaluation.results,
      evaluatedAt: at,
      approvals: facts.approvals,
      path: facts.path,
      ...(extra.denyReason === undefined ? {} : { denyReason: extra.denyReason }),
    });
    change.decision = { record: decision, verdict };
    change.record.decisionId = decision.id;
    tx.emit(
      this.events.build(
        'stella.orchestrator.decision.recorded',
        tx.tenant,
        {
          tenantId: tx.tenant,
          decisionId: decision.id,
          promotionId: change.record.id,
          verdict,
          environment: change.record.environment,
          releaseManifestDigest: change.record.release.id,
          recordDigest: decision.digest,
          record: decision.record as unknown as Record<string, unknown>,
          inputs: inputs as unknown as Record<string, unknown>,
        },
        decision.id,
        tx.now,
      ),
    );
    tx.record({
      action: 'decision.recorded',
      subject: { type: 'decision', id: decision.id },
      actor: actorName(actor),
      at,
      data: { promotionId: change.record.id, verdict, recordDigest: decision.digest, reasons },
    });
    if (verdict === 'deny') {
      this.transition(tx, change, 'rejected', actor, at, reasons.join('; '), decision.id);
      return refusalOf(change, evaluation, decision.id, extra.denyReason);
    }
    this.transition(tx, change, 'approved', actor, at, reasons.join('; '), decision.id);
    change.record.approvedAt = at;
    await this.startDeployment(tx, change, facts.environment, actor);
    return undefined;
  }

  /**
   * approved -> deploying when the environment has no deployment running; on-approval
   * environments record the deployment at once (-> deployed). The slot lock is only tried: when
   * another transaction holds it, the promotion stays approved (queued) and the dispatcher starts
   * it after commit, so approvals never wait on each other's commits.
   */
  async startDeployment(tx: Tx, change: PromotionChange, environment: EnvironmentFacts, actor: Actor, wait = false): Promise<boolean> {
    const at = tx.now.toISOString();
    const slot = await this.promotions.lockDeploymentSlot(tx.manager, tx.tenant, environment.name, !wait);
    if (slot.locked) {
      tx.queuedEnvironments.add(environment.name);
      return false;
    }
    if (environment.policy.deployment.mode === 'on-approval') {
      this.transition(tx, change, 'deploying', ORCHESTRATOR_ACTOR, at, 'deployment recorded on approval');
      await this.recordDeployed(tx, change, ORCHESTRATOR_ACTOR, 'recorded on approval (no deployer)');
      return true;
    }
    if (slot.busy) return false; // queued: started when the running deployment ends
    this.transition(tx, change, 'deploying', actor, at, 'deployment slot acquired');
    return true;
  }

  /** deploying -> deployed, and the inventory now says the release runs there. */
  async recordDeployed(tx: Tx, change: PromotionChange, actor: Actor, reason: string): Promise<void> {
    const at = tx.now.toISOString();
    await this.promotions.recordDeployment(tx.manager, tx.tenant, {
      environment: change.record.environment,
      releaseId: change.record.release.id,
      promotionId: change.record.id,
      kind: change.record.kind,
      at,
    });
    this.transition(tx, change, 'deployed', actor, at, reason);
  }

  transition(tx: Tx, change: PromotionChange, to: PromotionState, actor: Actor, at: string, reason?: string, decisionId?: string): void {
    const t = change.apply(to, actor, at, reason, decisionId);
    const r = change.record;
    tx.emit(
      this.events.build(
        `stella.orchestrator.promotion.${to}` as OrchestratorEventType,
        tx.tenant,
        {
          tenantId: tx.tenant,
          promotionId: r.id,
          kind: r.kind,
          release: { id: r.release.id, name: r.release.name, version: r.release.version },
          environment: r.environment,
          from: t.from,
          to,
          seq: t.seq,
          at: t.at,
          actor: eventActor(actor),
          ...(t.reason === undefined ? {} : { reason: t.reason }),
          ...(t.decisionId === undefined ? {} : { decisionId: t.decisionId }),
        } as never,
        r.id,
        tx.now,
      ),
    );
    tx.record({
      action: `promotion.${to}`,
      subject: { type: 'promotion', id: r.id },
      actor: t.actor,
      at: t.at,
      data: {
        release: r.release.id,
        environment: r.environment,
        kind: r.kind,
        from: t.from,
        to,
        seq: t.seq,
        ...(t.reason === undefined ? {} : { reason: t.reason }),
        ...(t.decisionId === undefined ? {} : { decisionId: t.decisionId }),
        ...(to === 'requested' && r.breakGlass ? { breakGlass: r.breakGlass } : {}),
      },
    });
    tx.touchedPromotions.add(r.id);
  }

  /** Queues the change's writes in the transaction's batch (sent at commit). */
  async save(tx: Tx, change: PromotionChange): Promise<void> {
    this.promotions.save(tx.writes, tx.tenant as TenantId, change.write());
  }
}

function pendingReasons(evaluation: Evaluation): string[] {
  return evaluation.results.filter((r) => r.result === 'pending').flatMap((r) => r.reasons.map((reason) => `${r.name}: ${reason}`));
}

/** The error a denied promotion is answered with: the first failing gate's, or a generic denial. */
function refusalOf(change: PromotionChange, evaluation: Evaluation, decisionId: string, denyReason?: string): OrchestratorError {
  const failed = evaluation.results.filter((r) => r.result === 'fail');
  const facts = {
    promotionId: change.record.id,
    decisionId,
    state: change.record.state,
    failedGates: failed.map((g) => ({ name: g.name, reasons: g.reasons })),
  };
  const first = failed[0];
  if (denyReason === undefined && first?.refusal) {
    return new OrchestratorError(first.refusal.code as OrchestratorErrorCode, first.reasons.join('; '), { ...first.refusal.details, ...facts });
  }
  return new OrchestratorError('PROMOTION_DENIED', denyReason ?? failed.flatMap((g) => g.reasons).join('; '), facts);
}
