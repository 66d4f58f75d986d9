import { defineStream } from '@stella/bus';

/** JetStream stream of export events (`<prefix>.export.>`). Never rename: consumers bind to it by name. */
export const EXPORT_STREAM = defineStream({
  name: 'EXPORT',
  subjects: ['export.>'],
  maxAgeDays: 365,
  description: 'Evidence packets stored and audit packs created by the export service',
});

/**
 * The streams consumed here (the orchestrator and the attestor provision them; the export service
 * only names them, with the same names and subjects, and waits for them to exist).
 */
export const ORCHESTRATOR_STREAM_REF = defineStream({ name: 'ORCHESTRATOR', subjects: ['orchestrator.>'], maxAgeDays: 365 });
export const ATTESTOR_STREAM_REF = defineStream({ name: 'ATTESTOR', subjects: ['attestor.>'], maxAgeDays: 365 });

/** Durable consumer names. Never rename: they key the inbox. */
export const DECISIONS_CONSUMER = 'export-decisions';
export const RELEASES_CONSUMER = 'export-releases';
export const PACKETS_CONSUMER = 'export-packets';
