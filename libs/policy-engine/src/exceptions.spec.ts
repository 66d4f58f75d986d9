import {
  compilePolicy,
  evaluatePolicy,
  PolicyError,
  validatePolicyInput,
  type PolicyInputException,
} from './index';
import { finding, image, input, policyDoc } from './__fixtures__/fixtures';

const policy = compilePolicy(policyDoc({ severity: { threshold: 'high' } }));
const f = finding({
  id: 'CVE-2024-1',
  aliases: ['GHSA-aaaa-bbbb-cccc'],
  severity: 'critical',
  purl: 'pkg:npm/lodash@4.17.20',
});
const waiver = (over: Partial<PolicyInputException> = {}): PolicyInputException => ({
  id: 'exc_1',
  vulnerability: 'CVE-2024-1',
  component: 'pkg:npm/lodash',
  environment: 'prod',
  expiresAt: '2026-12-01T00:00:00Z',
  requestedBy: 'alice',
  approvedBy: ['bob'],
  ...over,
});
const evalWith = (...exceptions: PolicyInputException[]) =>
  evaluatePolicy(policy, input({ images: [image({ findings: [f] })], exceptions }));

describe('exceptions', () => {
  it('a scoped, approved, unexpired exception suppresses the finding and is recorded', () => {
    const v = evalWith(waiver());
    expect(v.verdict).toBe('allow');
    expect(v.gates[0]?.suppressed).toEqual([
      { finding: 'CVE-2024-1', purl: f.purl, by: 'exception', ref: 'exc_1' },
    ]);
    expect(v.exceptionsApplied).toEqual([
      {
        id: 'exc_1',
        vulnerability: 'CVE-2024-1',
        component: 'pkg:npm/lodash',
        expiresAt: '2026-12-01T00:00:00Z',
        approvedBy: ['bob'],
        suppressed: ['CVE-2024-1 pkg:npm/lodash@4.17.20'],
      },
    ]);
    expect(v.summary).toBe(
      'allowed: every blocking gate and rule passed (1 gate, 0 rules); 1 finding waived by exceptions',
    );
  });

  it('matches by alias, exact purl or component name', () => {
    expect(evalWith(waiver({ vulnerability: 'GHSA-aaaa-bbbb-cccc' })).verdict).toBe('allow');
    expect(evalWith(waiver({ component: 'pkg:npm/lodash@4.17.20' })).verdict).toBe('allow');
    expect(evalWith(waiver({ component: 'lodash' })).verdict).toBe('allow');
  });

  it('out of scope: another vulnerability, component or environment does not apply', () => {
    expect(evalWith(waiver({ vulnerability: 'CVE-2024-2' })).verdict).toBe('deny');
    expect(evalWith(waiver({ component: 'pkg:npm/underscore' })).verdict).toBe('deny');
    expect(evalWith(waiver({ component: 'pkg:npm/lodash@4.17.21' })).verdict).toBe('deny');
    const stage = evalWith(waiver({ environment: 'stage' }));
    expect(stage.verdict).toBe('deny');
    expect(stage.exceptionsApplied).toEqual([]);
  });

  it('an expired exception stops applying by itself and is listed as expired', () => {
    const v = evalWith(waiver({ expiresAt: '2026-11-20T12:00:00Z' }));
    expect(v.verdict).toBe('deny');
    expect(v.exceptionsApplied).toEqual([]);
    expect(v.exceptionsExpired).toEqual(['exc_1']);
  });

  it('refuses a self-approved exception at input validation', () => {
    expect(() => evalWith(waiver({ approvedBy: ['alice', 'bob'] }))).toThrow(PolicyError);
    try {
      validatePolicyInput(input({ exceptions: [waiver({ approvedBy: ['alice'] })] }));
    } catch (err) {
      expect(err).toMatchObject({
        code: 'INPUT_SCHEMA',
        problems: [
          {
            path: 'exceptions/0/approvedBy',
            message: 'self-approved: alice requested the exception and cannot approve it',
          },
        ],
      });
    }
    expect.assertions(2);
  });

  it('refuses an exception without expiry or without approver', () => {
    const { expiresAt: _drop, ...noExpiry } = waiver();
    expect(() => validatePolicyInput(input({ exceptions: [noExpiry as PolicyInputException] }))).toThrow(
      expect.objectContaining({
        code: 'INPUT_SCHEMA',
        problems: [expect.objectContaining({ path: 'exceptions/0/expiresAt' })],
      }),
    );
    expect(() => validatePolicyInput(input({ exceptions: [waiver({ approvedBy: [] })] }))).toThrow(
      expect.objectContaining({
        problems: [{ path: 'exceptions/0/approvedBy', message: 'an exception needs at least one approver' }],
      }),
    );
    expect(() => validatePolicyInput(input({ exceptions: [waiver({ expiresAt: 'next week' })] }))).toThrow(
      PolicyError,
    );
  });

  it('VEX takes precedence: a finding VEX suppresses does not use up the exception', () => {
    const vexed = {
      ...f,
      vex: { status: 'not_affected' as const, justification: 'component_not_present', statementRefs: ['s1'] },
    };
    const v = evaluatePolicy(
      policy,
      input({ images: [image({ findings: [vexed] })], exceptions: [waiver()] }),
    );
    expect(v.exceptionsApplied).toEqual([]);
    expect(v.gates[0]?.suppressed[0]?.by).toBe('vex');
  });
});

describe('input validation', () => {
  it('names every bad field', () => {
    const bad = {
      ...input(),
      evaluationTime: '2026-11-20 12:00',
      release: { ...input().release, manifestDigest: 'sha256:xyz' },
      extra: 1,
    };
    try {
      validatePolicyInput(bad);
      throw new Error('accepted');
    } catch (err) {
      expect((err as PolicyError).problems.map((p) => p.path).sort()).toEqual([
        '/',
        'evaluationTime',
        'release/manifestDigest',
      ]);
    }
  });
});
