import type { Principal } from '@stella/auth';
import type { Actor as EventActor } from '@stella/contracts';

/** Who acts: a user or client from a verified token, or the orchestrator itself (intake). */
export interface Actor {
  readonly type: 'user' | 'client' | 'system';
  readonly id: string;
  /** Role names of a user token; approval policies match them. */
  readonly roles: readonly string[];
  readonly scopes: ReadonlySet<string>;
}

export function actorOf(principal: Principal): Actor {
  return {
    type: principal.kind,
    id: principal.subject,
    roles: principal.roles ?? [],
    scopes: principal.scopes,
  };
}

export const REGISTRY_INTAKE_ACTOR: Actor = {
  type: 'system',
  id: 'registry-intake',
  roles: [],
  scopes: new Set(),
};

export function eventActor(actor: Actor): EventActor {
  return { type: actor.type, id: actor.id };
}

/** How an actor is named in records and audit entries: `user:alice`, `client:ci`. */
export function actorName(actor: Pick<Actor, 'type' | 'id'>): string {
  return `${actor.type}:${actor.id}`;
}

/** The orchestrator acting on its own (a deployment recorded on approval, a queued deployment started). */
export const ORCHESTRATOR_ACTOR: Actor = {
  type: 'system',
  id: 'orchestrator',
  roles: [],
  scopes: new Set(),
};
