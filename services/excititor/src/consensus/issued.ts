import type { StoredStatement } from '../persistence/vex-store';
import type { IssuedStatement } from './consensus';

/** The statements with their issuer's trust (from the issuer registry; unknown issuers count 0). */
export function issued(
  trustOf: (issuer: string) => number,
  statements: readonly StoredStatement[],
): Array<StoredStatement & IssuedStatement> {
  return statements.map((s) => ({ ...s, trust: trustOf(s.issuer) }));
}
