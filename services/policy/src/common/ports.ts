import { randomUUID } from 'node:crypto';

export const POLICY_CLOCK = Symbol.for('stella.policy.clock');
export const POLICY_IDS = Symbol.for('stella.policy.ids');
/** Source of the bearer tokens the policy service calls other services with. */
export const POLICY_TOKENS = Symbol.for('stella.policy.tokens');
export const POLICY_UPSTREAMS = Symbol.for('stella.policy.upstreams');

export interface IdGenerator {
  newId(): string;
}

export const randomIds: IdGenerator = { newId: () => randomUUID() };

/** `Bearer <token>` for a call to another service, or null when no credentials are configured. */
export interface TokenProvider {
  authorizationHeader(): Promise<string | null>;
  /** Drop a cached token (the callee answered 401). */
  invalidate?(): void;
}

export const noTokens: TokenProvider = { authorizationHeader: async () => null };

/** The service's only clock (tests and replays pass a fixed one). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
