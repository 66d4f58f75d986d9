import type { Principal } from '../principal';

/** A symbol, not a property name, so request bodies or other middleware cannot spoof it. */
const PRINCIPAL = Symbol.for('stella.auth.principal');

export function attachPrincipal(request: object, principal: Principal): void {
  (request as Record<symbol, Principal>)[PRINCIPAL] = principal;
}

export function principalOf(request: object): Principal | undefined {
  return (request as Record<symbol, Principal | undefined>)[PRINCIPAL];
}
