import { ProblemError } from '@stella/platform';

export type ExceptionStatus = 'requested' | 'approved' | 'revoked';

export interface ExceptionRecord {
  id: string;
  tenantId: string;
  vulnerabilityId: string;
  /** A purl (with or without version) or a component name. */
  component: string;
  environment: string;
  reason: string;
  expiresAt: Date;
  status: ExceptionStatus;
  requestedBy: string;
  requestedAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
  revokedBy: string | null;
  revokedAt: Date | null;
  revokeReason: string | null;
}

const DAY_MS = 86_400_000;

/** The expiry is mandatory, in the future and at most `maxDays` away. */
export function checkExpiry(expiresAt: Date, now: Date, maxDays: number): void {
  if (expiresAt.getTime() <= now.getTime())
    throw new ProblemError(400, {
      type: 'invalid-expiry',
      title: 'Invalid expiry',
      detail: 'expiresAt must be in the future',
      errors: [{ path: 'expiresAt', message: 'must be in the future' }],
    });
  if (expiresAt.getTime() - now.getTime() > maxDays * DAY_MS)
    throw new ProblemError(400, {
      type: 'invalid-expiry',
      title: 'Invalid expiry',
      detail: `an exception lasts at most ${maxDays} days (STELLA_POLICY_EXCEPTION_MAX_DAYS)`,
      errors: [{ path: 'expiresAt', message: `at most ${maxDays} days from now` }],
    });
}

/** Separation of duties: nobody approves their own exception. */
export function checkApproval(exception: ExceptionRecord, approver: string, now: Date): void {
  if (exception.requestedBy === approver)
    throw new ProblemError(403, {
      type: 'separation-of-duties',
      title: 'Self-approval refused',
      detail: `separation of duties: an exception must be approved by someone other than its requester (${approver} requested ${exception.id})`,
      rule: 'separation-of-duties',
    });
  if (exception.status !== 'requested')
    throw new ProblemError(409, {
      type: 'exception-not-pending',
      title: 'Exception is not awaiting approval',
      detail: `${exception.id} is ${exception.status}`,
    });
  if (exception.expiresAt.getTime() <= now.getTime())
    throw new ProblemError(409, {
      type: 'exception-expired',
      title: 'Exception expired',
      detail: `${exception.id} expired at ${exception.expiresAt.toISOString()}; request a new one`,
    });
}

export function checkRevocation(exception: ExceptionRecord): void {
  if (exception.status === 'revoked')
    throw new ProblemError(409, {
      type: 'exception-revoked',
      title: 'Exception already revoked',
      detail: exception.id,
    });
}

export function exceptionView(e: ExceptionRecord, now: Date) {
  return {
    id: e.id,
    vulnerability: e.vulnerabilityId,
    component: e.component,
    environment: e.environment,
    reason: e.reason,
    expiresAt: e.expiresAt.toISOString(),
    status: e.status,
    /** Approved and not expired at the time of the request. */
    active: e.status === 'approved' && e.expiresAt.getTime() > now.getTime(),
    requestedBy: e.requestedBy,
    requestedAt: e.requestedAt.toISOString(),
    ...(e.approvedBy ? { approvedBy: e.approvedBy, approvedAt: e.approvedAt!.toISOString() } : {}),
    ...(e.revokedBy
      ? { revokedBy: e.revokedBy, revokedAt: e.revokedAt!.toISOString(), revokeReason: e.revokeReason }
      : {}),
  };
}
