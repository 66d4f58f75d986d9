import { parseVersion, satisfies } from '../api';
import { expectComparisons, expectStrictlyIncreasing } from '../test-helpers';

describe('NuGet (NuGetVersion)', () => {
  it('orders four-part versions and SemVer 2 pre-release labels', () => {
    expectStrictlyIncreasing('NuGet', [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.0.1',
      '1.0.1',
      '1.1',
      '2',
    ]);
  });

  it('ignores case in labels, metadata, and leading zeros in numbers', () => {
    expectComparisons('NuGet', [
      ['1.0.0-BETA', '=', '1.0.0-beta'],
      ['1.0.0-Beta.1', '=', '1.0.0-bEtA.1'],
      ['1.0.0+build.1', '=', '1.0.0+build.2'],
      ['1.01', '=', '1.1.0'],
      ['1.0.0.0', '=', '1.0.0'],
      ['1.0.0-1', '<', '1.0.0-a'],
      ['1.0.0-01', '=', '1.0.0-1'],
    ]);
  });

  it('normalises like NuGet', () => {
    expect(parseVersion('NuGet', '1.01.0-RC.1+meta').normalized).toBe('1.1.0-RC.1+meta');
    expect(parseVersion('NuGet', '1.0.0.4').normalized).toBe('1.0.0.4');
    expect(parseVersion('NuGet', '1').normalized).toBe('1.0.0');
  });

  it.each(['', '1.0.0.0.0', 'a', '1.0-', '1.0.0-beta..1', '1.0.0+', 'v1.0'])('refuses %j', (input) => {
    expect(() => parseVersion('NuGet', input)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
  });

  it.each([
    ['1.0', '1.0', true],
    ['3.0', '1.0', true],
    ['0.9', '1.0', false],
    ['1.0', '[1.0]', true],
    ['1.0.1', '[1.0]', false],
    ['1.5', '[1.0,2.0)', true],
    ['2.0', '[1.0,2.0)', false],
    ['2.0.0-beta', '[1.0,2.0)', true],
    ['1.0', '(1.0,)', false],
    ['1.0.1', '(1.0,)', true],
    ['1.0', '(,1.0]', true],
    ['1.0', '(,1.0)', false],
  ] as const)('%s in %s is %s', (version, range, expected) => {
    expect(satisfies('NuGet', version, range)).toBe(expected);
  });

  it.each(['1.*', '[1.0,2.0),[3.0,)', '(1.0)', '[2.0,1.0]', '[1.0', 'x'])('refuses the range %j', (range) => {
    expect(() => satisfies('NuGet', '1.0', range)).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
  });
});
