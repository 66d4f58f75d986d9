import {
  compilePolicy,
  evaluatePolicy,
  type GateResult,
  type PolicyInput,
  type PolicyVerdict,
} from './index';
import { component, finding, hex, image, input, policyDoc } from './__fixtures__/fixtures';

function run(gates: Record<string, unknown>, inp: PolicyInput): PolicyVerdict {
  return evaluatePolicy(compilePolicy(policyDoc(gates)), inp);
}
function gate(v: PolicyVerdict, id: string): GateResult {
  const g = v.gates.find((x) => x.id === id);
  if (!g) throw new Error(`no gate ${id}`);
  return g;
}

describe('severity gate', () => {
  const gates = { severity: { threshold: 'high' } };

  it('denies a finding at or above the threshold and names it', () => {
    const v = run(
      gates,
      input({ images: [image({ findings: [finding({ id: 'CVE-1', severity: 'critical' })] })] }),
    );
    expect(v.verdict).toBe('deny');
    expect(gate(v, 'severity')).toMatchObject({ outcome: 'fail', findings: ['CVE-1'] });
    expect(v.summary).toBe(
      'blocked: 1 vulnerability at or above high without VEX or exception (1 critical): CVE-1',
    );
  });

  it('allows findings below the threshold', () => {
    const v = run(gates, input({ images: [image({ findings: [finding({ severity: 'medium' })] })] }));
    expect(v.verdict).toBe('allow');
    expect(gate(v, 'severity').outcome).toBe('pass');
  });

  it('fails on the CVSS bar too', () => {
    const v = run(
      { severity: { threshold: 'critical', cvss: 7 } },
      input({ images: [image({ findings: [finding({ severity: 'medium', cvss: 7.2 })] })] }),
    );
    expect(gate(v, 'severity').outcome).toBe('fail');
  });

  it('does not count findings VEX says are not_affected or fixed, and records the statements', () => {
    const f1 = finding({
      id: 'CVE-1',
      severity: 'critical',
      vex: {
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        statementRefs: ['sha256:s1'],
      },
    });
    const f2 = finding({
      id: 'CVE-2',
      severity: 'critical',
      vex: { status: 'fixed', statementRefs: ['sha256:s2'] },
    });
    const f3 = finding({
      id: 'CVE-3',
      severity: 'critical',
      vex: { status: 'under_investigation', statementRefs: [] },
    });
    const f4 = finding({
      id: 'CVE-4',
      severity: 'critical',
      vex: { status: 'conflict', statementRefs: ['a', 'b'] },
    });
    const v = run(gates, input({ images: [image({ findings: [f1, f2, f3, f4] })] }));
    const g = gate(v, 'severity');
    expect(g.findings).toEqual(['CVE-3', 'CVE-4']);
    expect(g.suppressed).toEqual([
      { finding: 'CVE-1', purl: f1.purl, by: 'vex', ref: 'sha256:s1' },
      { finding: 'CVE-2', purl: f2.purl, by: 'vex', ref: 'sha256:s2' },
    ]);
  });

  it('without a VEX snapshot nothing is suppressed by VEX (fail closed) and the gate says so', () => {
    const f1 = finding({
      severity: 'critical',
      vex: { status: 'not_affected', justification: 'x', statementRefs: ['s'] },
    });
    const v = run(gates, input({ vexSnapshotId: null, images: [image({ findings: [f1] })] }));
    expect(gate(v, 'severity').outcome).toBe('fail');
    expect(gate(v, 'severity').reasons.join(' ')).toContain('VEX unavailable');
  });

  it('unknown severity is not counted unless unknownSeverityAs says so', () => {
    const inp = input({ images: [image({ findings: [finding({ severity: 'unknown', cvss: undefined })] })] });
    expect(gate(run(gates, inp), 'severity').outcome).toBe('pass');
    expect(run(gates, inp).unknowns.items.map((i) => i.kind)).toContain('severity_unknown');
    expect(
      gate(run({ severity: { threshold: 'high', unknownSeverityAs: 'critical' } }, inp), 'severity').outcome,
    ).toBe('fail');
  });

  it('action warn reports but does not block', () => {
    const v = run(
      { severity: { threshold: 'high', action: 'warn' } },
      input({ images: [image({ findings: [finding({ severity: 'critical' })] })] }),
    );
    expect(gate(v, 'severity').outcome).toBe('warn');
    expect(v.verdict).toBe('allow');
    expect(v.summary).toContain('warnings: severity');
  });
});

describe('fail closed', () => {
  it('missing feed snapshot: vulnerability gates pending, never allow', () => {
    const v = run({ severity: { threshold: 'high' }, kev: {} }, input({ feedSnapshotId: null }));
    expect(v.verdict).toBe('pending');
    expect(gate(v, 'severity').outcome).toBe('pending');
    expect(gate(v, 'kev').outcome).toBe('pending');
    expect(v.summary).toMatch(/^pending: vulnerability intelligence unavailable/);
  });

  it('missing SBOM: the sbom gate fails and the vulnerability gates are pending', () => {
    const img = image({ sbom: { present: false }, components: [], findings: [] });
    const v = run({ sbom: {}, severity: { threshold: 'high' } }, input({ images: [img] }));
    expect(v.verdict).toBe('deny');
    expect(gate(v, 'sbom')).toMatchObject({ outcome: 'fail', findings: [img.digest] });
    expect(gate(v, 'severity').outcome).toBe('pending');
    const only = run({ severity: { threshold: 'high' } }, input({ images: [img] }));
    expect(only.verdict).toBe('pending');
    expect(only.summary).toContain('no SBOM for api');
  });

  it('a failing finding still denies while intelligence is missing', () => {
    const v = run(
      { severity: { threshold: 'high' } },
      input({ feedSnapshotId: null, images: [image({ findings: [finding({ severity: 'critical' })] })] }),
    );
    expect(gate(v, 'severity').outcome).toBe('fail');
    expect(v.verdict).toBe('deny');
  });

  it('a release without images is not allowed', () => {
    expect(run({ severity: { threshold: 'high' } }, input({ images: [] })).verdict).toBe('pending');
  });
});

describe('kev, fix-available and epss gates', () => {
  it('blocks a KEV-listed finding whatever its severity', () => {
    const v = run(
      { kev: {} },
      input({ images: [image({ findings: [finding({ id: 'CVE-9', severity: 'low', kev: true })] })] }),
    );
    expect(gate(v, 'kev')).toMatchObject({ outcome: 'fail', findings: ['CVE-9'] });
  });
  it('blocks findings with a fix available at or above minSeverity', () => {
    const inp = input({
      images: [
        image({
          findings: [
            finding({ id: 'CVE-1', severity: 'medium' }),
            finding({ id: 'CVE-2', severity: 'high', fixAvailable: false, fixedVersions: [] }),
          ],
        }),
      ],
    });
    expect(gate(run({ fixAvailable: {} }, inp), 'fixAvailable').findings).toEqual(['CVE-1']);
    expect(gate(run({ fixAvailable: { minSeverity: 'high' } }, inp), 'fixAvailable').outcome).toBe('pass');
  });
  it('blocks findings at or above the EPSS threshold; no EPSS is not a hit', () => {
    const inp = input({
      images: [
        image({
          findings: [
            finding({ id: 'CVE-1', epss: 0.5 }),
            finding({ id: 'CVE-2', epss: 0.05 }),
            finding({ id: 'CVE-3', epss: undefined }),
          ],
        }),
      ],
    });
    expect(gate(run({ epss: { threshold: 0.1 } }, inp), 'epss').findings).toEqual(['CVE-1']);
  });
});

describe('grace period', () => {
  const fresh = finding({ id: 'CVE-NEW', severity: 'critical', publishedAt: '2026-11-18T12:00:00Z' });
  it('a new advisory does not block inside the grace period, and is shown', () => {
    const v = run(
      { severity: { threshold: 'high' }, gracePeriod: { days: 7 } },
      input({ images: [image({ findings: [fresh] })] }),
    );
    expect(gate(v, 'severity').outcome).toBe('pass');
    expect(gate(v, 'severity').suppressed).toEqual([
      { finding: 'CVE-NEW', purl: fresh.purl, by: 'grace', ref: fresh.publishedAt },
    ]);
    expect(gate(v, 'gracePeriod')).toMatchObject({ outcome: 'warn', findings: ['CVE-NEW'] });
    expect(v.verdict).toBe('allow');
  });
  it('blocks once the grace period is over', () => {
    const v = run(
      { severity: { threshold: 'high' }, gracePeriod: { days: 1 } },
      input({ images: [image({ findings: [fresh] })] }),
    );
    expect(gate(v, 'severity').outcome).toBe('fail');
  });
  it('KEV findings get no grace by default', () => {
    const kev = { ...fresh, kev: true };
    const v = run({ kev: {}, gracePeriod: { days: 7 } }, input({ images: [image({ findings: [kev] })] }));
    expect(gate(v, 'kev').outcome).toBe('fail');
    const lenient = run(
      { kev: {}, gracePeriod: { days: 7, exceptKev: false } },
      input({ images: [image({ findings: [kev] })] }),
    );
    expect(gate(lenient, 'kev').outcome).toBe('pass');
  });
});

describe('sbom, scan age, signature and provenance gates', () => {
  it('scan age: too old or unknown fails', () => {
    const old = image({ digest: hex('1'), sbom: { present: true, scannedAt: '2026-10-01T00:00:00Z' } });
    const unknown = image({ digest: hex('2'), sbom: { present: true } });
    const ok = image({ digest: hex('3') });
    const v = run({ scanAge: { maxDays: 7 } }, input({ images: [old, unknown, ok] }));
    expect(gate(v, 'scanAge')).toMatchObject({ outcome: 'fail', findings: [hex('1'), hex('2')] });
    expect(gate(v, 'scanAge').reasons.join(' ')).toContain('scanned 50 days ago');
  });
  it('signature: every digest needs a verified attestation by a trusted key', () => {
    const unsigned = image({ digest: hex('1'), attestations: [] });
    const unverified = image({ digest: hex('2'), attestations: [{ predicateType: 'p', verified: false }] });
    const otherKey = image({
      digest: hex('3'),
      attestations: [{ predicateType: 'p', verified: true, signerKeyId: 'rogue' }],
    });
    const good = image({
      digest: hex('4'),
      attestations: [{ predicateType: 'p', verified: true, signerKeyId: 'key-1' }],
    });
    const v = run(
      { signature: { trustedKeyIds: ['key-1'] } },
      input({ images: [unsigned, unverified, otherKey, good] }),
    );
    const g = gate(v, 'signature');
    expect(g.outcome).toBe('fail');
    expect(g.findings).toEqual([hex('1'), hex('2'), hex('3')]);
    expect(g.reasons[0]).toContain('none verifies against the trusted keys');
    expect(run({ signature: {} }, input({ images: [good] })).verdict).toBe('allow');
  });
  it('provenance: SLSA from an allowed builder', () => {
    const gates = { provenance: { allowedBuilders: ['https://ci.example/builder'] } };
    expect(run(gates, input()).verdict).toBe('allow');
    const other = image({
      attestations: [
        {
          predicateType: 'https://slsa.dev/provenance/v1',
          verified: true,
          builderId: 'https://evil/builder',
        },
      ],
    });
    const v = run(gates, input({ images: [other] }));
    expect(gate(v, 'provenance').reasons[0]).toContain('builder https://evil/builder is not allowed');
    const none = image({ attestations: [{ predicateType: 'https://spdx.dev/Document', verified: true }] });
    expect(gate(run(gates, input({ images: [none] })), 'provenance').reasons[0]).toContain(
      'no SLSA provenance',
    );
  });
});

describe('licence gate', () => {
  const gates = { licenses: { deny: ['GPL-3.0-only', 'AGPL-3.0-only'] } };
  const withLicenses = (...licenses: string[][]) =>
    input({
      images: [
        image({
          components: licenses.map((l, i) =>
            component({ purl: `pkg:npm/c${i}@1.0.0`, name: `c${i}`, licenses: l }),
          ),
        }),
      ],
    });
  it('denies a component that requires a denied licence', () => {
    const v = run(gates, withLicenses(['MIT'], ['GPL-3.0-only'], ['MIT AND AGPL-3.0-only']));
    expect(gate(v, 'licenses')).toMatchObject({
      outcome: 'fail',
      findings: ['pkg:npm/c1@1.0.0', 'pkg:npm/c2@1.0.0'],
    });
  });
  it('an OR choice with an allowed licence is fine', () => {
    expect(run(gates, withLicenses(['MIT OR GPL-3.0-only'])).verdict).toBe('allow');
    expect(run(gates, withLicenses(['GPL-3.0-only OR AGPL-3.0-only'])).verdict).toBe('deny');
  });
  it('a licence that is not an SPDX expression is an unknown', () => {
    const v = run(gates, withLicenses(['Some Custom License v2']));
    expect(v.unknowns.items).toContainEqual(
      expect.objectContaining({ kind: 'license_unparseable', ref: 'pkg:npm/c0@1.0.0' }),
    );
  });
});

describe('reachability', () => {
  it('downgrades unreachable findings with evidence only', () => {
    const proven = finding({
      id: 'CVE-1',
      severity: 'critical',
      reachability: { state: 'unreachable', evidenceRef: 'sha256:cg' },
    });
    const claimed = finding({ id: 'CVE-2', severity: 'critical', reachability: { state: 'unreachable' } });
    const v = run(
      { severity: { threshold: 'high' }, reachability: {} },
      input({ images: [image({ findings: [proven, claimed] })] }),
    );
    expect(gate(v, 'severity').findings).toEqual(['CVE-2']);
    expect(gate(v, 'reachability').suppressed).toEqual([
      { finding: 'CVE-1', purl: proven.purl, by: 'reachability', ref: 'sha256:cg' },
    ]);
    expect(gate(v, 'reachability').reasons.join(' ')).toContain('without evidence');
  });
  it('without the reachability gate nothing is downgraded', () => {
    const proven = finding({
      severity: 'critical',
      reachability: { state: 'unreachable', evidenceRef: 'e' },
    });
    expect(
      run({ severity: { threshold: 'high' } }, input({ images: [image({ findings: [proven] })] })).verdict,
    ).toBe('deny');
  });
  it('mentions reachable findings in the summary breakdown', () => {
    const f = finding({ id: 'CVE-1', severity: 'critical', reachability: { state: 'reachable' } });
    const v = run(
      { severity: { threshold: 'high' }, reachability: {} },
      input({ images: [image({ findings: [f] })] }),
    );
    expect(v.summary).toBe(
      'blocked: 1 vulnerability at or above high without VEX or exception (1 critical, 1 reachable): CVE-1',
    );
  });
});

describe('unknowns budget', () => {
  const unknowns = input({
    images: [
      image({
        components: [
          component({ purl: undefined, name: 'libfoo.so' }),
          component({ purl: 'pkg:generic/bar', name: 'bar', version: undefined }),
          component({ purl: undefined, name: 'blob', identified: false }),
          component(),
        ],
        findings: [
          finding({ id: 'CVE-R', rangeEvaluable: false }),
          finding({ id: 'CVE-N', fixAvailable: false, fixedVersions: [] }),
          finding({
            id: 'CVE-V',
            fixAvailable: false,
            fixedVersions: [],
            vex: { status: 'affected', statementRefs: ['s'] },
          }),
        ],
      }),
      image({
        digest: hex('9'),
        name: 'web',
        components: [component({ purl: undefined, name: 'libfoo.so' })],
      }),
    ],
  });
  it('counts and lists every kind once per release', () => {
    const v = run({ unknowns: { budget: 10 } }, unknowns);
    expect(v.unknowns.count).toBe(5);
    expect(v.unknowns.budget).toBe(10);
    expect(v.unknowns.items.map((i) => [i.kind, i.ref])).toEqual([
      ['component_without_purl', 'libfoo.so'],
      ['component_without_version', 'pkg:generic/bar'],
      ['finding_without_vex_or_fix', 'CVE-N pkg:npm/lodash@4.17.20'],
      ['range_not_evaluable', 'CVE-R pkg:npm/lodash@4.17.20'],
      ['unidentified_binary', 'blob'],
    ]);
    expect(gate(v, 'unknowns').outcome).toBe('pass');
  });
  it('fails over budget with a breakdown', () => {
    const v = run({ unknowns: { budget: 4 } }, unknowns);
    expect(v.verdict).toBe('deny');
    expect(v.summary).toContain('blocked: 5 unknowns exceed the budget of 4');
  });
  it('are reported without a budget gate too', () => {
    const v = run({}, unknowns);
    expect(v.unknowns).toMatchObject({ count: 5, budget: null });
  });
});

describe('approvals gate', () => {
  it('waits for distinct approvers other than the creator', () => {
    const gates = { approvals: { min: 2 } };
    const a = (approver: string) => ({ approver, time: '2026-11-20T10:00:00Z' });
    const v1 = run(gates, input({ approvals: [a('alice'), a('bob'), a('bob')] }));
    expect(v1.verdict).toBe('pending');
    expect(gate(v1, 'approvals').reasons[0]).toBe(
      'awaiting approvals: 1 of 2 distinct approvers (the creator alice does not count)',
    );
    expect(run(gates, input({ approvals: [a('bob'), a('carol')] })).verdict).toBe('allow');
  });
});

describe('environments', () => {
  it('per-environment gates override defaults, null switches a default off', () => {
    const doc = policyDoc(
      { severity: { threshold: 'critical' } },
      {
        environments: {
          dev: { gates: { severity: null } },
          prod: { gates: { severity: { threshold: 'medium' } } },
        },
      },
    );
    const p = compilePolicy(doc);
    expect(p.environments).toEqual(['dev', 'prod']);
    const inp = (env: string) =>
      input({ environment: { name: env }, images: [image({ findings: [finding({ severity: 'high' })] })] });
    expect(evaluatePolicy(p, inp('dev')).gates).toEqual([]);
    expect(evaluatePolicy(p, inp('prod')).verdict).toBe('deny');
    expect(() => evaluatePolicy(p, inp('stage'))).toThrow(
      expect.objectContaining({ code: 'ENVIRONMENT_UNBOUND' }),
    );
  });
});
