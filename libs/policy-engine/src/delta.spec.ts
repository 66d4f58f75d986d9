import { diffFindings, releaseFindingSet, type DeltaFinding } from './index';
import { finding, image, input } from './__fixtures__/fixtures';

const df = (over: Partial<DeltaFinding> = {}): DeltaFinding => ({
  id: 'CVE-1',
  aliases: [],
  purl: 'pkg:npm/a@1.0.0',
  installedVersion: '1.0.0',
  severity: 'high',
  fixAvailable: false,
  kev: false,
  vex: null,
  ...over,
});

describe('diffFindings', () => {
  it('nothing changed: empty delta', () => {
    expect(diffFindings([df()], [df()])).toEqual({ new: [], fixed: [], changed: [] });
  });

  it('classifies new advisories, new components and version changes', () => {
    const d = diffFindings(
      [
        df({ id: 'CVE-2' }),
        df({ id: 'CVE-3', purl: 'pkg:npm/b@2.0.0', installedVersion: '2.0.0' }),
        df({ id: 'CVE-4', purl: 'pkg:npm/c@3.0.0', installedVersion: '3.0.0' }),
      ],
      { releaseId: 'r0', findings: [], components: ['pkg:npm/a@1.0.0', 'pkg:npm/c@2.0.0'] },
    );
    expect(d.new.map((e) => [e.finding, e.why])).toEqual([
      ['CVE-2', 'new_advisory'],
      ['CVE-3', 'new_component'],
      ['CVE-4', 'version_change'],
    ]);
  });

  it('classifies fixed findings: component removed, version change, advisory withdrawn', () => {
    const d = diffFindings(
      [],
      [
        df({ id: 'CVE-1' }),
        df({ id: 'CVE-2', purl: 'pkg:npm/b@1.0.0' }),
        df({ id: 'CVE-3', purl: 'pkg:npm/c@1.0.0' }),
      ],
      ['pkg:npm/b@1.1.0', 'pkg:npm/c@1.0.0'],
    );
    expect(d.fixed.map((e) => [e.finding, e.why])).toEqual([
      ['CVE-1', 'component_removed'],
      ['CVE-2', 'version_change'],
      ['CVE-3', 'advisory_withdrawn'],
    ]);
  });

  it('explains changes: VEX flip, severity, fix available, KEV, version; matches across aliases', () => {
    const d = diffFindings(
      [
        df({
          id: 'GHSA-x',
          aliases: ['CVE-1'],
          vex: 'not_affected',
          severity: 'critical',
          fixAvailable: true,
          kev: true,
          installedVersion: '1.0.1',
          purl: 'pkg:npm/a@1.0.1',
        }),
      ],
      [df()],
    );
    expect(d.changed.map((e) => [e.why, e.detail])).toEqual([
      ['fix_available', 'a fixed version is now available'],
      ['kev_added', 'now listed in CISA KEV'],
      ['severity_change', 'high -> critical'],
      ['version_change', '1.0.0 -> 1.0.1, still affected'],
      ['vex_flip', 'no VEX -> not_affected'],
    ]);
  });
});

describe('releaseFindingSet', () => {
  it('deduplicates a finding present in several images and sorts', () => {
    const f1 = finding({ id: 'CVE-B' });
    const f2 = finding({ id: 'CVE-A', vex: { status: 'fixed', statementRefs: [] } });
    const set = releaseFindingSet(
      input({
        images: [
          image({ findings: [f1, f2] }),
          image({ digest: `sha256:${'9'.repeat(64)}`, findings: [f1] }),
        ],
      }),
    );
    expect(set.map((f) => [f.id, f.vex])).toEqual([
      ['CVE-A', 'fixed'],
      ['CVE-B', null],
    ]);
  });
});
