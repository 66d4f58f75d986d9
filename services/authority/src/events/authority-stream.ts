import { defineStream } from '@stella/bus';

/**
 * JetStream stream of authority events (`<prefix>.authority.>`). Never rename: consumers bind to
 * it by name. Audit events are kept for a year.
 */
export const AUTHORITY_STREAM = defineStream({
  name: 'AUTHORITY',
  subjects: ['authority.>'],
  maxAgeDays: 365,
  description: 'Identity changes and sign-in failures from the authority',
});
