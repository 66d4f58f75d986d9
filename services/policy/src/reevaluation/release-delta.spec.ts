import type { PolicyInputFinding } from '@stella/policy-engine';
import { inputFindings, riskDelta } from './release-delta';

const finding = (id: string, purl: string, extra: Partial<PolicyInputFinding> = {}): PolicyInputFinding => ({
  id,
  aliases: [],
  purl,
  installedVersion: '1.0.0',
  severity: 'high',
  fixedVersions: [],
  fixAvailable: false,
  kev: false,
  rangeEvaluable: true,
  ...extra,
});
const images = (...findings: PolicyInputFinding[]) => ({
  images: [{ digest: `sha256:${'a'.repeat(64)}`, name: 'api', sbom: { present: true }, components: [], findings, attestations: [] }],
});

describe('riskDelta', () => {
  it('counts new, fixed and changed findings between two evaluations', () => {
    const before = images(finding('CVE-1', 'pkg:npm/a@1'), finding('CVE-2', 'pkg:npm/b@1'), finding('CVE-3', 'pkg:npm/c@1'));
    const after = images(
      finding('CVE-1', 'pkg:npm/a@1'),
      finding('CVE-2', 'pkg:npm/b@1', { vex: { status: 'not_affected', statementRefs: ['x'] } }),
      finding('CVE-4', 'pkg:npm/d@1'),
    );
    expect(riskDelta(inputFindings(before), inputFindings(after))).toEqual({
      newFindings: 1,
      fixedFindings: 1,
      changedFindings: 1,
      vulnerabilities: ['CVE-2', 'CVE-3', 'CVE-4'],
    });
  });

  it('treats everything as new without a previous evaluation', () => {
    expect(riskDelta(null, inputFindings(images(finding('CVE-1', 'pkg:npm/a@1')))).newFindings).toBe(1);
  });
});
