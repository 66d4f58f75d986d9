import { parseVersion, satisfies } from '../api';
import { expectComparisons, expectStrictlyIncreasing } from '../test-helpers';

describe('RubyGems (Gem::Version)', () => {
  it('orders pre-releases (any letter) below the release', () => {
    expectStrictlyIncreasing('RubyGems', [
      '1.0.a',
      '1.0.a.1',
      '1.0.a.2',
      '1.0.a10',
      '1.0.b1',
      '1.0.pre',
      '1.0.rc1',
      '1.0',
      '1.0.1.a',
      '1.0.1',
      '1.1',
      '2',
    ]);
  });

  it('ignores trailing zeros and turns "-" into ".pre."', () => {
    expectComparisons('RubyGems', [
      ['1.0', '=', '1'],
      ['1.0.0', '=', '1'],
      ['1.0.a', '=', '1.0.a.0'],
      ['1.0-beta', '=', '1.0.pre.beta'],
      ['1.0-1', '<', '1.0'],
      ['1.8.2.a10', '>', '1.8.2.a9'],
      ['1.0.A', '<', '1.0.a'],
      ['0.9.9', '<', '1.0.a'],
      ['1.2.d.42', '>', '1.2.c.99'],
      ['1.10', '>', '1.9'],
    ]);
  });

  it('reports segments and pre-release status', () => {
    expect(parseVersion('RubyGems', '1.0-beta').normalized).toBe('1.0.pre.beta');
    expect(parseVersion('RubyGems', '1.0.rc1').prerelease).toBe(true);
    expect(parseVersion('RubyGems', '1.0').prerelease).toBe(false);
  });

  it.each(['', '   ', 'junk', '1.0\n', '1..0', '.1', '1.0-', 'v1.0'])('refuses %j', (input) => {
    expect(() => parseVersion('RubyGems', input)).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^INVALID_(VERSION|INPUT)$/) }),
    );
  });

  it.each([
    ['2.2.9', '~> 2.2.0', true],
    ['2.3.0', '~> 2.2.0', false],
    ['2.9', '~> 2.2', true],
    ['3.0', '~> 2.2', false],
    ['3.0.a', '~> 2.2', false],
    ['2.2.0.a', '~> 2.2.0.a', true],
    ['2.2.1', '~> 2.2.0.a', true],
    ['2.3', '~> 2.2.0.a', false],
    ['5', '~> 4', false],
    ['4.9', '~> 4', true],
    ['1.5', '>= 1.0, < 2', true],
    ['2.0.a', '>= 1.0', true],
    ['1.0', '1.0', true],
    ['1.0', '!= 1.0', false],
    ['1.0.0', '= 1', true],
  ] as const)('%s satisfies %j: %s', (version, range, expected) => {
    expect(satisfies('RubyGems', version, range)).toBe(expected);
  });

  it('refuses malformed requirements', () => {
    expect(() => satisfies('RubyGems', '1.0', '~ 1.0')).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
    expect(() => satisfies('RubyGems', '1.0', '>= 1.0,')).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
  });
});
