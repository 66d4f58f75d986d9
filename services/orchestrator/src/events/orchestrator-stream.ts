import { defineStream } from '@stella/bus';

/**
 * JetStream stream of orchestrator events (`<prefix>.orchestrator.>`). Never rename: consumers
 * (attestor, notify, export) bind to it by name. Decisions and transitions are evidence: a year.
 */
export const ORCHESTRATOR_STREAM = defineStream({
  name: 'ORCHESTRATOR',
  subjects: ['orchestrator.>'],
  maxAgeDays: 365,
  description: 'Releases, promotions, approvals and decision records from the orchestrator',
});
