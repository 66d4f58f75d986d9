import { compareVersions, parseVersion, satisfies } from '../api';
import { expectComparisons, expectStrictlyIncreasing } from '../test-helpers';

// Orders and equalities from Maven's ComparableVersionTest, as maven-artifact 3.9.6 evaluates them.
describe('Maven (ComparableVersion)', () => {
  it('orders qualifiers alpha < beta < milestone < rc/cr < snapshot < release < sp < unknown < numbers', () => {
    expectStrictlyIncreasing('Maven', [
      '1-alpha2snapshot',
      '1-alpha2',
      '1-alpha-123',
      '1-beta-2',
      '1-beta123',
      '1-m2',
      '1-m11',
      '1-rc',
      '1-cr2',
      '1-rc123',
      '1-SNAPSHOT',
      '1',
      '1-sp',
      '1-sp2',
      '1-sp123',
      '1-abc',
      '1-def',
      '1-pom-1',
      '1-1-snapshot',
      '1-1',
      '1-2',
      '1-123',
    ]);
  });

  it('orders numbers, with "-" less important than "."', () => {
    expectStrictlyIncreasing('Maven', [
      '2.0',
      '2.0.a',
      '2-1',
      '2.0.2',
      '2.0.123',
      '2.1.0',
      '2.1-a',
      '2.1b',
      '2.1-c',
      '2.1-1',
      '2.1.0.1',
      '2.2',
      '2.123',
      '11.a2',
      '11.a11',
      '11.b2',
      '11.b11',
      '11.m2',
      '11.m11',
      '11',
      '11.a',
      '11b',
      '11c',
      '11m',
    ]);
  });

  it('pads with zeros, aliases ga/final/release/cr and a1/b1/m1, and ignores case', () => {
    expectComparisons('Maven', [
      ['1', '=', '1.0'],
      ['1', '=', '1.0.0'],
      ['1', '=', '1-0'],
      ['1.0', '=', '1.0-0'],
      ['1a', '=', '1-a'],
      ['1a', '=', '1.0-a'],
      ['1x', '=', '1.0.0-x'],
      ['1ga', '=', '1'],
      ['1-GA', '=', '1'],
      ['1.0.0.Final', '=', '1'],
      ['1.0.RELEASE', '=', '1'],
      ['1cr', '=', '1rc'],
      ['1a1', '=', '1-alpha-1'],
      ['1b2', '=', '1beta2'],
      ['1m3', '=', '1MileStone3'],
      ['1.0.RC1', '=', '1.0-RC1'],
      ['2.0.0.M1', '=', '2.0.0-m1'],
      ['1-abcdefghijklmnopqrstuvwxyz', '=', '1-ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
      ['1.0-alpha-1', '<', '1.0'],
      ['1.0-beta-1', '<', '1.0-SNAPSHOT'],
      ['1.0-SNAPSHOT', '<', '1.0'],
      ['1.0-alpha-1-SNAPSHOT', '<', '1.0-alpha-1'],
      ['1.0', '<', '1.0-1'],
      ['1.0.0', '<', '1.0-1'],
      ['2.0.1', '<', '2.0.1-xyz'],
      ['2.0.1-xyz', '<', '2.0.1-123'],
      ['1.0-sp1', '>', '1.0'],
      ['1.0.0.1', '>', '1.0-sp1'],
      ['1.12345678901234567890', '>', '1.12345678901234567889'],
    ]);
  });

  it('reports the canonical form and which qualifiers make a pre-release', () => {
    expect(parseVersion('Maven', '1.0.0.Final').normalized).toBe('1');
    expect(parseVersion('Maven', '1.2-SNAPSHOT').normalized).toBe('1.2-snapshot');
    expect(parseVersion('Maven', '1.0.RC1').normalized).toBe('1-rc-1');
    expect(parseVersion('Maven', '1.2-SNAPSHOT').prerelease).toBe(true);
    expect(parseVersion('Maven', '1.2-sp1').prerelease).toBe(false);
    expect(parseVersion('Maven', '1.2').prerelease).toBe(false);
  });

  it.each(['', 'RELEASE', 'release.alpha', '1.0 beta', '[1.0]', '1,0', '1.0)'])('refuses %j', (input) => {
    expect(() => parseVersion('Maven', input)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
  });

  describe('version ranges', () => {
    const rows: Array<[string, string, boolean]> = [
      ['1.5', '[1.0,2.0)', true],
      ['1.0', '[1.0,2.0)', true],
      ['2.0', '[1.0,2.0)', false],
      ['2.0-SNAPSHOT', '[1.0,2.0)', true],
      ['1.0', '(1.0,2.0]', false],
      ['2.0', '(1.0,2.0]', true],
      ['0.1', '(,1.0]', true],
      ['1.0.1', '(,1.0]', false],
      ['1.0.0', '[1.0]', true],
      ['1.0.1', '[1.0]', false],
      ['9.0', '[1.5,)', true],
      ['1.1', '(,1.0],[1.2,)', false],
      ['1.2', '(,1.0],[1.2,)', true],
      ['0.9', '(,1.0],[1.2,)', true],
      ['1.0', '1.0', true],
      ['1.1', '1.0', false],
      ['1.1', ' [ 1.0 , 2.0 ) ', true],
    ];
    it.each(rows)('%s in %s is %s', (version, range, expected) => {
      expect(satisfies('Maven', version, range)).toBe(expected);
    });

    it.each(['[1.0,2.0', '(1.0)', '[2.0,1.0]', '(1.0,1.0)', '[1.0,2.0),', '[1.0,2.0)[3.0,)', '[a b]', '[1.0,2.0,3.0]'])(
      'refuses %j as INVALID_RANGE',
      (range) => {
        expect(() => satisfies('Maven', '1.0', range)).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
      },
    );
  });

  it('compares versions whose numbers exceed 64 bits', () => {
    expect(compareVersions('Maven', '1.99999999999999999999999', '1.100000000000000000000000')).toBe(-1);
  });
});
