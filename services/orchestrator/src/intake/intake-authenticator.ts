import { createHash, timingSafeEqual } from 'node:crypto';
import { OrchestratorError } from '../common/errors';
import { tenantIdOf, type TenantId } from '../common/tenancy';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Finds the tenant whose shared secret the registry presented. Both sides are hashed to equal
 * length and every configured secret is compared (no early exit), so timing reveals nothing.
 */
export class IntakeAuthenticator {
  private readonly secrets: Array<{ tenant: TenantId; hash: Buffer }>;

  constructor(secrets: Record<string, string>) {
    this.secrets = Object.entries(secrets).map(([tenant, secret]) => ({ tenant: tenantIdOf(tenant), hash: sha256(secret) }));
  }

  authenticate(authorization: string | undefined): TenantId {
    const presented = BEARER.exec(authorization?.trim() ?? '')?.[1];
    const hash = sha256(presented ?? '');
    let match: TenantId | undefined;
    for (const entry of this.secrets) {
      if (timingSafeEqual(entry.hash, hash) && presented !== undefined) match = entry.tenant;
    }
    if (match === undefined) {
      throw new OrchestratorError('INTAKE_UNAUTHORIZED', 'registry notification refused: missing or wrong shared secret');
    }
    return match;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
