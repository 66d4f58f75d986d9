import { defineStream } from '@stella/bus';

/** JetStream stream of attestor events (`<prefix>.attestor.>`). Never rename: consumers bind to it by name. */
export const ATTESTOR_STREAM = defineStream({
  name: 'ATTESTOR',
  subjects: ['attestor.>'],
  maxAgeDays: 365,
  description: 'Attested decisions and recorded attestations from the attestor',
});

/**
 * The orchestrator's stream, consumed here. The orchestrator provisions it; the attestor only
 * names it (same name and subjects) and waits for it to exist.
 */
export const ORCHESTRATOR_STREAM_REF = defineStream({
  name: 'ORCHESTRATOR',
  subjects: ['orchestrator.>'],
  maxAgeDays: 365,
});
