import { defineStream } from '@stella/bus';

/**
 * JetStream stream of advisory events (`<prefix>.advisory.>`). Never rename: consumers bind to it
 * by name. A week covers any consumer's outage; the documents themselves stay in Postgres.
 */
export const ADVISORY_STREAM = defineStream({
  name: 'ADVISORY',
  subjects: ['advisory.>'],
  maxAgeDays: 7,
  description: 'Advisory documents stored by concelier, with the package keys they affect',
});
