/** Injection token of the TokenVerifier used by AuthGuard. */
export const TOKEN_VERIFIER = Symbol.for('stella.auth.token-verifier');

/**
 * Metadata keys. The public-route key is a plain string on purpose: libs/platform (which libs/auth
 * depends on) can mark its own health/version/metrics controllers public without importing us.
 */
export const PUBLIC_ROUTE_METADATA = 'stella:auth:public';
export const REQUIRED_SCOPES_METADATA = 'stella:auth:scopes';
export const ANY_OF_SCOPES_METADATA = 'stella:auth:any-of-scopes';

/** The Bearer realm announced in WWW-Authenticate challenges. */
export const AUTH_REALM = 'stella';
