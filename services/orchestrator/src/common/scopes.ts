/**
 * OAuth scopes the orchestrator checks. Names are API: append only, never rename. The authority
 * must list the ones it does not know yet (release:approve, release:break-glass, release:admin,
 * audit:read) in its catalogue or STELLA_AUTHORITY_EXTRA_SCOPES.
 */
export const Scope = {
  /** Read releases, environments, promotions, decisions, inventory. */
  read: 'release:read',
  /** Create components and releases. */
  write: 'release:write',
  /** Request, cancel and roll back promotions. */
  promote: 'release:promote',
  /** Approve or reject promotions (subject to the environment's approver roles). */
  approve: 'release:approve',
  /** Promote into a frozen environment, with a recorded reason. Grant to very few. */
  breakGlass: 'release:break-glass',
  /** Create and configure environments and the promotion path. */
  admin: 'release:admin',
  /** Report deployment progress of approved promotions (deployers, CI). */
  deploy: 'deploy:write',
  /** Read and verify the audit chain. */
  audit: 'audit:read',
} as const;

export type ScopeName = (typeof Scope)[keyof typeof Scope];
