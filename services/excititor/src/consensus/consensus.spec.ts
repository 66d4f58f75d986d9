import { computeConsensus, type IssuedStatement } from './consensus';

let sequence = 0;
const statement = (over: Partial<IssuedStatement>): IssuedStatement => ({
  vulnerabilityId: 'CVE-2021-44228',
  aliases: [],
  productKey: 'pkg:maven/org.example/app@1.0.0',
  subcomponents: [],
  status: 'under_investigation',
  timestamp: '2024-01-01T00:00:00Z',
  issuer: 'vendor',
  trust: 50,
  signed: false,
  documentId: `doc-${sequence}`,
  documentHash: `sha256:${String(sequence).padStart(64, '0')}`,
  sequence: sequence++,
  ...over,
});
const consensus = (statements: IssuedStatement[]) =>
  computeConsensus('CVE-2021-44228', 'pkg:maven/org.example/app@1.0.0', statements);

describe('computeConsensus', () => {
  it('none without statements; under_investigation when nobody trusted is definitive', () => {
    expect(consensus([]).status).toBe('none');
    expect(
      consensus([statement({ trust: 0, status: 'not_affected', justification: 'component_not_present' })]),
    ).toMatchObject({
      status: 'none',
      statements: [{ used: false, reason: 'issuer vendor is not trusted (trust 0)' }],
    });
    expect(consensus([statement({})]).status).toBe('under_investigation');
  });

  it('a trusted not_affected with justification outranks under_investigation, and the explanation says why', () => {
    const result = consensus([
      statement({ issuer: 'scanner', trust: 30, status: 'under_investigation' }),
      statement({
        issuer: 'vendor',
        trust: 80,
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      }),
    ]);
    expect(result.status).toBe('not_affected');
    expect(result.justification).toBe('vulnerable_code_not_in_execute_path');
    expect(result.summary).toBe(
      "not_affected (vulnerable_code_not_in_execute_path) from vendor (trust 80); outranks scanner's under_investigation",
    );
    expect(result.statements.map((s) => [s.issuer, s.used, s.reason])).toEqual([
      ['vendor', true, 'definitive statement from the most trusted issuer(s) (trust 80)'],
      ['scanner', false, 'under_investigation is outranked by a definitive statement from vendor'],
    ]);
  });

  it('a definitive statement outranks under_investigation even from a more trusted issuer', () => {
    expect(
      consensus([
        statement({ issuer: 'distro', trust: 90 }),
        statement({ issuer: 'vendor', trust: 40, status: 'fixed' }),
      ]).status,
    ).toBe('fixed');
  });

  it('not_affected without justification or impact statement is not evidence', () => {
    const result = consensus([statement({ status: 'not_affected' })]);
    expect(result.status).toBe('under_investigation');
    expect(result.statements[0]!.reason).toMatch(/counts as under_investigation/);
  });

  it('the latest statement of an issuer wins', () => {
    const result = consensus([
      statement({ status: 'affected', timestamp: '2024-01-01T00:00:00Z' }),
      statement({ status: 'fixed', timestamp: '2024-03-01T00:00:00Z' }),
      statement({ status: 'under_investigation', timestamp: '2023-12-01T00:00:00Z' }),
    ]);
    expect(result.status).toBe('fixed');
    expect(result.statements.filter((s) => !s.used).map((s) => s.reason)).toEqual([
      "superseded by vendor's later statement (2024-03-01T00:00:00Z)",
      "superseded by vendor's later statement (2024-03-01T00:00:00Z)",
    ]);
  });

  it('higher trust wins among definitive statements; equal trust and disagreement is a conflict, never resolved silently', () => {
    expect(
      consensus([
        statement({ issuer: 'a', trust: 70, status: 'affected' }),
        statement({ issuer: 'b', trust: 90, status: 'not_affected', impactStatement: 'not shipped' }),
      ]).status,
    ).toBe('not_affected');
    const conflict = consensus([
      statement({ issuer: 'a', trust: 70, status: 'affected' }),
      statement({ issuer: 'b', trust: 70, status: 'not_affected', justification: 'component_not_present' }),
    ]);
    expect(conflict.status).toBe('conflict');
    expect(conflict.summary).toBe(
      'conflict: equally trusted issuers disagree (trust 70): a says affected; b says not_affected',
    );
    expect(conflict.statements.every((s) => s.used)).toBe(true);
    expect(
      consensus([
        statement({ issuer: 'a', trust: 70, status: 'fixed' }),
        statement({ issuer: 'b', trust: 70, status: 'fixed' }),
      ]).status,
    ).toBe('fixed');
  });
});
