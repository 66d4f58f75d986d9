import type { Principal } from '@stella/auth';
import type { Actor } from '@stella/contracts';

/** Who made a change, for events: the token's user or client. */
export function actorOf(principal: Principal): Actor {
  return principal.kind === 'user'
    ? { type: 'user', id: principal.subject }
    : { type: 'client', id: principal.clientId };
}
