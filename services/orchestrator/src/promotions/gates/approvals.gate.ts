import { digestOf } from '@stella/canonical';
import type { Gate, GateContext, GateResult } from './gate';

/** Counts distinct approvals against the environment's requirement; waits (pending) until met. */
export class ApprovalsGate implements Gate {
  readonly name = 'approvals';

  async evaluate(context: GateContext): Promise<GateResult> {
    const policy = context.environment.policy.approvals;
    const approvers = new Set(context.approvals.map((a) => a.approver));
    const evidence = [
      { name: 'approval-policy', digest: digestOf(policy) },
      ...context.approvals.map((a) => ({
        name: `approval:${a.approver}`,
        digest: digestOf({ promotionId: context.promotion.id, ...a }),
      })),
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
