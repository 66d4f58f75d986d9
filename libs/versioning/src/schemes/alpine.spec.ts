import { parseVersion, satisfies } from '../api';
import { expectComparisons, expectStrictlyIncreasing } from '../test-helpers';

describe('Alpine (apk-tools)', () => {
  it('orders pre-release suffixes below the release and post-release suffixes above', () => {
    expectStrictlyIncreasing('Alpine', [
      '1.0_alpha',
      '1.0_alpha1',
      '1.0_alpha2',
      '1.0_beta',
      '1.0_pre1',
      '1.0_rc1',
      '1.0',
      '1.0-r1',
      '1.0_cvs1',
      '1.0_svn1',
      '1.0_git20200101',
      '1.0_hg1',
      '1.0_p1',
      '1.0_p1-r1',
      '1.0_p2',
      '1.0a',
      '1.0b',
      '1.0.1',
    ]);
  });

  it('follows apk-tools for revisions, letters, leading zeros and commit hashes', () => {
    expectComparisons('Alpine', [
      ['1.2.3-r0', '>', '1.2.3'],
      ['1.2.3-r1', '>', '1.2.3-r0'],
      ['1.2.3-r10', '>', '1.2.3-r9'],
      ['2.3.0b-r1', '<', '2.3.0b-r2'],
      ['1.0.4-r3', '<', '1.0.4-r4'],
      ['1.01', '<', '1.1'],
      ['1.02.07', '<', '1.02.10-r1'],
      ['006', '>', '1.0.0'],
      ['1.0_p10-r0', '>', '1.0_p9-r0'],
      ['1.3_pre1-r1', '<', '1.3.2'],
      ['0.1.0_alpha_pre2', '<', '0.1.0_alpha'],
      ['1.0.0_pre20191002222144-r0', '<', '1.0.0_pre20210530193627-r0'],
      ['20050718-r1', '>', '2.59'],
      ['3.0.20060720', '<', '20060720'],
      ['1.0~abc', '>', '1.0'],
      ['1.0~abc-r1', '>', '1.0~abc'],
      ['1.0~abc', '<', '1.0~abd'],
      ['1.0-r1', '<', '1.0~abc'],
      ['1.2.12.04', '<', '1.2.12.05'],
    ]);
  });

  it.each(['', 'a1', '1.0-1', '1.0_foo', '1.0a1', '1.0.', '1.0-r', '1.0_p1.2', '1.0~', '1.0~xyz', '1.0-r1-r2', '1.0ab'])(
    'refuses %j',
    (input) => {
      expect(() => parseVersion('Alpine:v3.18', input)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    },
  );

  it('flags pre-release suffixes', () => {
    expect(parseVersion('Alpine', '1.0_rc1-r0').prerelease).toBe(true);
    expect(parseVersion('Alpine', '1.0_p1-r0').prerelease).toBe(false);
  });

  it('evaluates apk constraints including the fuzzy ~ match', () => {
    expect(satisfies('Alpine', '1.2.3-r1', '~1.2')).toBe(true);
    expect(satisfies('Alpine', '1.3.0-r0', '~1.2')).toBe(false);
    expect(satisfies('Alpine', '1.2.3-r1', '>=1.2.3-r1 <1.3')).toBe(true);
    expect(satisfies('Alpine', '1.3_rc1', '<1.3')).toBe(true);
    expect(satisfies('Alpine', '1.4', '>~1.3')).toBe(true);
    expect(satisfies('Alpine', '1.2.9', '<~1.3')).toBe(true);
    expect(satisfies('Alpine', '1.3.9', '<~1.3')).toBe(true);
    expect(satisfies('Alpine', '1.4', '<~1.3')).toBe(false);
    expect(() => satisfies('Alpine', '1.0', '=> 1.0')).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
  });
});
