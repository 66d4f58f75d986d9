/** Who is calling, as established by a verified access token. Immutable and shared between requests. */
export interface Principal {
  /** `sub`: the user id for user tokens, the client id for client-credentials tokens (RFC 9068 §2.2). */
  readonly subject: string;
  readonly tenant: string;
  readonly scopes: ReadonlySet<string>;
  readonly clientId: string;
  /** `jti`: unique per issued token, for audit trails. */
  readonly tokenId: string;
  readonly expiresAt: Date;
  readonly kind: 'client' | 'user';
  /** Role names of a user token; absent on client tokens. */
  readonly roles?: readonly string[];
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The one place libs/auth reads the wall clock; tests inject their own Clock. */
export const systemClock: Clock = { now: () => Date.now() };
