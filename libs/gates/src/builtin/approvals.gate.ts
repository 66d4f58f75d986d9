import { evidenceOf, type Gate, type GateContext, type GateResult } from '../gate';

/** Counts distinct approvals against the environment's requirement; waits (pending) until met. */
export class ApprovalsGate implements Gate {
  readonly name = 'approvals';
  readonly engineVersion = 'approvals/1';

  async evaluate(context: GateContext): Promise<GateResult> {
    const policy = context.environment.policy.approvals;
    const approvers = new Set(context.approvals.map((a) => a.approver));
    const evidence = [
      evidenceOf('approval-policy', policy),
      ...context.approvals.map((a) => evidenceOf(`approval:${a.approver}`, { promotionId: context.promotion.id, ...a })),
    ];
    if (approvers.size >= policy.required) {
      return {
        result: 'pass',
        reasons: [
          policy.required === 0
            ? `${context.environment.name} requires no approval`
            : `${approvers.size} of ${policy.required} required approvals`,
        ],
        evidence,
      };
    }
    return {
      result: 'pending',
      reasons: [`${approvers.size} of ${policy.required} required approvals`],
      evidence,
    };
  }
}
