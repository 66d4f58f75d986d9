import { ProblemError } from '@stella/platform';
import { checkApproval, checkExpiry, checkRevocation, exceptionView, type ExceptionRecord } from './exception.model';

const now = new Date('2026-11-25T08:00:00Z');
const exception = (over: Partial<ExceptionRecord> = {}): ExceptionRecord => ({
  id: '5f1c7a3e-1111-4222-8333-944455556666',
  tenantId: 'acme',
  vulnerabilityId: 'CVE-2025-7783',
  component: 'pkg:npm/form-data',
  environment: 'prod',
  reason: 'not reachable',
  expiresAt: new Date('2026-12-01T00:00:00Z'),
  status: 'requested',
  requestedBy: 'user:alice',
  requestedAt: now,
  approvedBy: null,
  approvedAt: null,
  revokedBy: null,
  revokedAt: null,
  revokeReason: null,
  ...over,
});

function problem(fn: () => void): { status: number; type: string; rule?: unknown } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    const p = error as ProblemError;
    return { status: p.getStatus(), type: p.problem.type, rule: p.problem.rule };
  }
  throw new Error('no problem raised');
}

describe('exceptions', () => {
  it('need an expiry in the future and at most the configured number of days away', () => {
    expect(problem(() => checkExpiry(new Date('2026-11-25T07:59:59Z'), now, 90))).toMatchObject({ status: 400, type: 'invalid-expiry' });
    expect(problem(() => checkExpiry(new Date('2027-03-01T00:00:00Z'), now, 90))).toMatchObject({ status: 400, type: 'invalid-expiry' });
    expect(() => checkExpiry(new Date('2026-12-25T00:00:00Z'), now, 90)).not.toThrow();
  });

  it('are never approved by their requester (403 naming the separation-of-duties rule)', () => {
    expect(problem(() => checkApproval(exception(), 'user:alice', now))).toEqual({
      status: 403,
      type: 'separation-of-duties',
      rule: 'separation-of-duties',
    });
    expect(() => checkApproval(exception(), 'user:bob', now)).not.toThrow();
  });

  it('are approved once, and not after they expired', () => {
    expect(problem(() => checkApproval(exception({ status: 'approved' }), 'user:bob', now)).status).toBe(409);
    expect(problem(() => checkApproval(exception({ expiresAt: new Date('2026-11-24T00:00:00Z') }), 'user:bob', now)).type).toBe('exception-expired');
    expect(problem(() => checkRevocation(exception({ status: 'revoked' }))).status).toBe(409);
  });

  it('stop being active by themselves at their expiry', () => {
    const approved = exception({ status: 'approved', approvedBy: 'user:bob', approvedAt: now });
    expect(exceptionView(approved, now).active).toBe(true);
    expect(exceptionView(approved, new Date('2026-12-01T00:00:00Z')).active).toBe(false);
  });
});
