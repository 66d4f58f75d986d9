import { EVENT_TYPE_PATTERN } from './envelope';
import { ContractError } from './errors';

/** Lowercase NATS subject token: what a deployment (or a test) uses instead of `stella`. */
export const SUBJECT_PREFIX_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * NATS subject of an event type: its leading `stella` replaced by the deployment prefix
 * (`stella.authority.client.created` -> `<prefix>.authority.client.created`). Subjects are
 * derived from types, so they are append-only too.
 */
export function eventSubject(type: string, prefix: string): string {
  if (!SUBJECT_PREFIX_PATTERN.test(prefix)) {
    throw new ContractError('INVALID_SUBJECT_PREFIX', `invalid subject prefix ${JSON.stringify(prefix)}`);
  }
  if (!EVENT_TYPE_PATTERN.test(type)) {
    throw new ContractError('UNKNOWN_EVENT_TYPE', `not a Stella event type: ${JSON.stringify(type)}`);
  }
  return `${prefix}${type.slice('stella'.length)}`;
}
