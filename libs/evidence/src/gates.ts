import { createGateRegistry, type Gate, type GateEvaluatorRegistry } from '@stella/gates';
import { PolicyGate } from '@stella/policy-engine';

/**
 * Every gate evaluator this build can replay: the built-ins, the `policy` gate (libs/policy-engine,
 * replaying the recorded policy source over the recorded canonical input, no I/O), and `extra`.
 */
export function replayRegistry(extra: readonly Gate[] = []): GateEvaluatorRegistry {
  // PolicyGate matches libs/gates' Gate structurally (libs/policy-engine does not depend on libs/gates).
  const policy: Gate = new PolicyGate();
  return createGateRegistry([policy, ...extra]);
}
