import type { Principal } from '@stella/auth';

/** Who acted, as recorded in rows: `user:<subject>` or `client:<clientId>`. */
export function actorId(principal: Principal): string {
  return principal.kind === 'user' ? `user:${principal.subject}` : `client:${principal.clientId}`;
}
