import { createGateRegistry, type Gate, type GateEvaluatorRegistry } from '@stella/gates';
import { PolicyGate, type PolicyBodySource } from '@stella/policy-engine';

/**
 * Every gate evaluator this build can replay: the built-ins, the `policy` gate (libs/policy-engine,
 * replaying the recorded policy source over the recorded canonical input, no I/O: the bodies a
 * recorded reference names come from `policyBodies`, e.g. a packet's policy/source.yaml and
 * policy/input.json), and `extra`.
 */
export function replayRegistry(extra: readonly Gate[] = [], policyBodies?: PolicyBodySource): GateEvaluatorRegistry {
  // PolicyGate matches libs/gates' Gate structurally (libs/policy-engine does not depend on libs/gates).
  const policy: Gate = new PolicyGate(undefined, policyBodies ? { bodies: policyBodies } : {});
  return createGateRegistry([policy, ...extra]);
}
