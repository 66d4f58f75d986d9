/** Injection tokens of the orchestrator's ports. */
export const ORCHESTRATOR_CLOCK = Symbol.for('stella.orchestrator.clock');
export const ORCHESTRATOR_IDS = Symbol.for('stella.orchestrator.ids');
export const IMAGE_RESOLVER = Symbol.for('stella.orchestrator.image-resolver');
export const GATES = Symbol.for('stella.orchestrator.gates');
