import { compareVersions, parseVersion, satisfies } from '../api';
import type { GoVersion } from './go';
import { expectComparisons, expectStrictlyIncreasing } from '../test-helpers';

describe('Go module versions', () => {
  it('orders pseudo-versions below the release they precede and above the one they follow', () => {
    expectStrictlyIncreasing('Go', [
      'v0.0.0-20190101000000-aaaaaaaaaaaa',
      'v0.0.0-20191109021931-daa7c04131f5',
      'v0.1.0',
      'v1.2.3',
      'v1.2.4-0.20190101000000-aaaaaaaaaaaa',
      'v1.2.4-0.20200101000000-bbbbbbbbbbbb',
      'v1.2.4-pre',
      'v1.2.4-pre.0.20200101000000-cccccccccccc',
      'v1.2.4-pre.1',
      'v1.2.4',
      'v2.0.0+incompatible',
      'v2.1.0',
      'v10.0.0',
    ]);
  });

  it('ignores build metadata (+incompatible), accepts shorthands and a missing "v"', () => {
    expectComparisons('Go', [
      ['v2.0.0+incompatible', '=', 'v2.0.0'],
      ['v1', '=', 'v1.0.0'],
      ['v1.2', '=', 'v1.2.0'],
      ['1.2.3', '=', 'v1.2.3'],
      ['v1.0.0-alpha', '<', 'v1.0.0-alpha.1'],
      ['v1.0.0-alpha.1', '<', 'v1.0.0-alpha.beta'],
      ['v1.0.0-beta.2', '<', 'v1.0.0-beta.11'],
      ['v1.99999999999999999999.0', '>', 'v1.99999999999999999998.0'],
    ]);
  });

  it('recognises pseudo-versions and +incompatible', () => {
    const pseudo = parseVersion('Go', 'v1.2.4-0.20191109021931-daa7c04131f5').value as GoVersion;
    expect(pseudo.pseudo).toEqual({ timestamp: '20191109021931', revision: 'daa7c04131f5' });
    expect((parseVersion('Go', 'v0.0.0-20191109021931-daa7c04131f5').value as GoVersion).pseudo).not.toBeNull();
    expect((parseVersion('Go', 'v1.2.3-pre.0.20191109021931-daa7c04131f5').value as GoVersion).pseudo).not.toBeNull();
    expect((parseVersion('Go', 'v1.2.3-rc.1').value as GoVersion).pseudo).toBeNull();
    expect((parseVersion('Go', 'v2.3.4+incompatible').value as GoVersion).incompatible).toBe(true);
    expect(parseVersion('Go', 'v2.3.4+incompatible').normalized).toBe('v2.3.4+incompatible');
  });

  it.each(['', 'v', 'v01.2.3', 'v1.2.3-01', 'v1.2-pre', 'vv1.2.3', 'v1.2.3.4', 'latest', 'v1.2.3-'])('refuses %j', (input) => {
    expect(() => parseVersion('Go', input)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
  });

  it('evaluates comparator ranges', () => {
    expect(satisfies('Go', 'v1.2.4-0.20200101000000-bbbbbbbbbbbb', '>=v1.2.3, <v1.2.4')).toBe(true);
    expect(satisfies('Go', 'v1.2.4', '>=v1.2.3 <v1.2.4')).toBe(false);
    expect(satisfies('Go', 'v0.9.0', '<v1.0.0 || >=v2.0.0')).toBe(true);
    expect(satisfies('Go', 'v1.5.0', '!=v1.5.0')).toBe(false);
    expect(() => satisfies('Go', 'v1.0.0', '~v1.0.0')).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
  });

  it('sorts the same as compareVersions when used as a comparator', () => {
    const list = ['v1.10.0', 'v1.2.0', 'v1.2.0-rc.1', 'v0.0.0-20200101000000-abcdefabcdef'];
    expect([...list].sort((a, b) => compareVersions('Go', a, b))).toEqual([
      'v0.0.0-20200101000000-abcdefabcdef',
      'v1.2.0-rc.1',
      'v1.2.0',
      'v1.10.0',
    ]);
  });
});
