import type { GateContext } from '@stella/gates';
import type { ApprovalView } from './promotion.model';
import type { EnvironmentFacts, PriorSuccess, PromotionRecord } from './promotions.repository';
import type { PromotionPath } from '../environments/environment.model';

export function gateContext(input: {
  tenant: string;
  now: Date;
  promotion: PromotionRecord;
  environment: EnvironmentFacts;
  path: PromotionPath;
  approvals: readonly ApprovalView[];
  priorSuccesses: readonly PriorSuccess[];
}): GateContext {
  const p = input.promotion;
  return {
    tenant: input.tenant,
    now: input.now,
    promotion: {
      id: p.id,
      kind: p.kind,
      requestedBy: p.requestedBy,
      ...(p.breakGlass ? { breakGlass: p.breakGlass } : {}),
    },
    release: p.release,
    environment: input.environment,
    path: input.path,
    approvals: input.approvals,
    priorSuccesses: input.priorSuccesses,
  };
}
