import type { GatePolicy } from './gate';

/**
 * An environment policy with the orchestrator's defaults (its schema owns the real ones), for
 * this library's tests and golden scenarios.
 */
export function testPolicy(overrides: Partial<GatePolicy> = {}): GatePolicy {
  return {
    approvals: { required: 0, approverRoles: [] },
    separationOfDuties: true,
    freezeWindows: [],
    gates: ['previous-environment', 'freeze-window', 'approvals'],
    deployment: { mode: 'reported' },
    ...overrides,
  };
}
