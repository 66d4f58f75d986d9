import { compilePolicy, evaluatePolicy, PolicyError } from './index';
import { finding, image, input, policyDoc } from './__fixtures__/fixtures';

function compileError(source: unknown): PolicyError {
  try {
    compilePolicy(source);
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('compiled');
}

describe('compilePolicy', () => {
  const yamlPolicy = `
apiVersion: stella.policy/v1
kind: Policy
metadata: { name: default, version: "3" }
defaults:
  gates:
    sbom: {}
    severity: { threshold: critical }
environments:
  dev: {}
  prod:
    gates:
      severity: { threshold: high }
      unknowns: { budget: 5 }
rules:
  - id: no-root
    language: cel
    expression: 'release.createdBy != "root"'
`;

  it('parses YAML, validates and hashes the canonical document', () => {
    const p = compilePolicy(yamlPolicy);
    expect(p).toMatchObject({ name: 'default', version: '3', environments: ['dev', 'prod'] });
    expect(p.policyHash).toMatch(/^sha256:[a-f0-9]{64}$/);
    // Same document as JSON, keys in another order: same hash.
    const reordered = compilePolicy({
      rules: [{ expression: 'release.createdBy != "root"', language: 'cel', id: 'no-root' }],
      environments: {
        prod: { gates: { unknowns: { budget: 5 }, severity: { threshold: 'high' } } },
        dev: {},
      },
      defaults: { gates: { severity: { threshold: 'critical' }, sbom: {} } },
      metadata: { version: '3', name: 'default' },
      kind: 'Policy',
      apiVersion: 'stella.policy/v1',
    });
    expect(reordered.policyHash).toBe(p.policyHash);
  });

  it('refuses YAML that does not parse, with the line', () => {
    const err = compileError('apiVersion: [unclosed\nkind: Policy');
    expect(err.code).toBe('POLICY_PARSE');
    expect(err.problems[0]?.path).toMatch(/^line \d+, column \d+$/);
  });

  it('refuses unknown gates and wrong types, naming every path', () => {
    const err = compileError(
      policyDoc({ severity: { threshold: 'extreme' }, noSuchGate: {}, scanAge: { maxDays: 'seven' } }),
    );
    expect(err.code).toBe('POLICY_SCHEMA');
    const paths = err.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'defaults/gates/severity/threshold',
        'defaults/gates/scanAge/maxDays',
        'defaults/gates',
      ]),
    );
    expect(err.problems.find((p) => p.path === 'defaults/gates')?.message).toContain('noSuchGate');
  });

  it('refuses duplicate rule ids and rules bound to environments the policy does not bind', () => {
    const rules = [
      { id: 'r', language: 'cel', expression: 'true' },
      { id: 'r', language: 'cel', expression: 'true', environments: ['qa'] },
    ];
    const err = compileError(policyDoc({}, { rules }));
    expect(err.problems.map((p) => p.path)).toEqual(['rules/1/id', 'rules/1/environments/0']);
  });

  it('refuses a CEL rule that does not parse, with rule id and position', () => {
    const err = compileError(
      policyDoc({}, { rules: [{ id: 'broken', language: 'cel', expression: 'release.name ==' }] }),
    );
    expect(err.code).toBe('CEL_COMPILE');
    expect(err.message).toContain('rules/0 (broken)');
    expect(err.problems[0]).toEqual({
      path: 'rules/0 (broken)/expression',
      message: expect.stringMatching(/^does not compile: 1:\d+: /),
    });
  });

  it('refuses unknown functions, unknown variables and variables of another scope at compile time', () => {
    const cases: [string, string, RegExp][] = [
      ['release', 'nosuch(release)', /unknown function "nosuch" at 1:1/],
      ['release', 'relase.name == "x"', /undeclared reference "relase" at 1:1/],
      [
        'release',
        'finding.kev',
        /variable "finding" at 1:1 is not available in scope "release" \(use scope "finding"\)/,
      ],
      ['finding', 'severityAtLeast(finding)', /no overload of "severityAtLeast" takes 1 argument/],
    ];
    for (const [scope, expression, message] of cases) {
      const err = compileError(policyDoc({}, { rules: [{ id: 'r', language: 'cel', scope, expression }] }));
      expect(err.code).toBe('CEL_COMPILE');
      expect(err.problems[0]?.message).toMatch(message);
    }
  });

  it('accepts comprehension variables and the custom functions', () => {
    const rules = [
      { id: 'a', language: 'cel', expression: 'images.all(i, i.findings.all(f, !f.kev))' },
      {
        id: 'b',
        language: 'cel',
        scope: 'finding',
        expression: '!severityAtLeast(finding, "critical") || hasVex(finding, "not_affected")',
      },
      {
        id: 'c',
        language: 'cel',
        scope: 'image',
        expression: 'hasAttestation(image, "https://slsa.dev/provenance/v1")',
      },
      {
        id: 'd',
        language: 'cel',
        expression: 'distinctApprovers(approvals) >= 0 && daysBetween(release.id, now) < 1.0 || true',
      },
    ];
    expect(() => compilePolicy(policyDoc({}, { rules }))).not.toThrow();
  });
});

describe('CEL rules at evaluation', () => {
  const celPolicy = (expression: string, scope = 'release', extra: Record<string, unknown> = {}) =>
    compilePolicy(
      policyDoc(
        {},
        {
          rules: [{ id: 'rule-1', language: 'cel', scope, expression, message: 'custom message', ...extra }],
        },
      ),
    );

  it('passes when true, fails with its message when false', () => {
    expect(evaluatePolicy(celPolicy('release.createdBy == "alice"'), input()).rules).toEqual([
      { id: 'rule-1', language: 'cel', outcome: 'pass', message: 'rule rule-1 holds', subjects: [] },
    ]);
    const v = evaluatePolicy(celPolicy('release.createdBy == "bob"'), input());
    expect(v.verdict).toBe('deny');
    expect(v.rules[0]).toMatchObject({ outcome: 'fail', message: 'custom message' });
    expect(v.summary).toBe('blocked: custom message');
  });

  it('finding scope runs over counted findings and lists the ones that fail', () => {
    const p = celPolicy(
      '!(severityAtLeast(finding, "critical") && finding.reachability.state == "reachable")',
      'finding',
    );
    const f1 = finding({ id: 'CVE-1', severity: 'critical', reachability: { state: 'reachable' } });
    const f2 = finding({
      id: 'CVE-2',
      severity: 'critical',
      reachability: { state: 'reachable' },
      vex: { status: 'not_affected', justification: 'x', statementRefs: ['s'] },
    });
    const v = evaluatePolicy(p, input({ images: [image({ findings: [f1, f2] })] }));
    expect(v.rules[0]).toMatchObject({ outcome: 'fail', subjects: ['CVE-1 pkg:npm/lodash@4.17.20'] });
  });

  it('a runtime error (missing field) denies with a reason naming the rule, never passes', () => {
    const p = celPolicy('finding.reachability.state != "reachable"', 'finding');
    const v = evaluatePolicy(p, input({ images: [image({ findings: [finding({ id: 'CVE-1' })] })] }));
    expect(v.verdict).toBe('deny');
    expect(v.rules[0]).toMatchObject({ id: 'rule-1', outcome: 'error' });
    expect(v.rules[0]?.message).toBe(
      'rule rule-1 could not be evaluated on CVE-1 pkg:npm/lodash@4.17.20: field not found: reachability; denied (fail closed)',
    );
    expect(v.summary).toContain('rule rule-1 could not be evaluated');
  });

  it('an error in a custom function and a non-bool result are errors too', () => {
    expect(
      evaluatePolicy(
        celPolicy('severityAtLeast(finding, "extreme")', 'finding'),
        input({ images: [image({ findings: [finding()] })] }),
      ).rules[0]?.message,
    ).toContain('unknown severity level "extreme"');
    expect(evaluatePolicy(celPolicy('release.name'), input()).rules[0]).toMatchObject({
      outcome: 'error',
      message: expect.stringContaining('not a bool'),
    });
  });

  it('a warn rule does not block; an error in a warn rule still denies', () => {
    expect(evaluatePolicy(celPolicy('false', 'release', { action: 'warn' }), input()).verdict).toBe('allow');
    expect(evaluatePolicy(celPolicy('release.nope', 'release', { action: 'warn' }), input()).verdict).toBe(
      'deny',
    );
  });

  it('rules bound to other environments are skipped', () => {
    const p = celPolicy('false', 'release', { environments: ['dev'] });
    expect(evaluatePolicy(p, input()).rules).toEqual([]);
  });

  it('the custom functions work on the input document', () => {
    const inp = input({
      approvals: [
        { approver: 'bob', time: '2026-11-20T10:00:00Z' },
        { approver: 'bob', time: '2026-11-20T11:00:00Z' },
        { approver: 'carol', time: '2026-11-20T11:00:00Z' },
      ],
      images: [image({ findings: [finding({ publishedAt: '2026-11-10T12:00:00Z' })] })],
    });
    const ok = (expression: string, scope = 'release') =>
      evaluatePolicy(celPolicy(expression, scope), inp).rules[0]?.outcome;
    expect(ok('distinctApprovers(approvals) == 2')).toBe('pass');
    expect(ok('daysBetween(finding.publishedAt, now) == 10.0', 'finding')).toBe('pass');
    expect(ok('hasAttestation(image, "https://slsa.dev/provenance/v1")', 'image')).toBe('pass');
    expect(ok('hasAttestation(image, "https://in-toto.io/attestation/vulns")', 'image')).toBe('fail');
    expect(ok('severityAtLeast(finding, "high") && !severityAtLeast(finding, "critical")', 'finding')).toBe(
      'pass',
    );
    expect(ok('!hasVex(finding, "not_affected")', 'finding')).toBe('pass');
  });
});
