import fc from 'fast-check';
import * as semver from 'semver';
import { compareVersions, parseVersion, satisfies } from '../api';
import { cargoRequirementToNodeRange } from './semver';

describe('npm (node-semver)', () => {
  const core = fc.tuple(fc.nat(12), fc.nat(12), fc.nat(12)).map((p) => p.join('.'));
  const pre = fc
    .array(fc.constantFrom('alpha', 'beta', 'rc', '0', '1', '2', '10', 'x-1', 'A'), { minLength: 1, maxLength: 3 })
    .map((ids) => `-${ids.join('.')}`);
  const build = fc.constantFrom('', '+b1', '+sha.5114f85');
  const version = fc
    .tuple(core, fc.option(pre, { nil: '' }), build)
    .map(([c, p, b]) => `${c}${p ?? ''}${b}`);

  it('agrees with the semver package on generated pairs (oracle)', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(compareVersions('npm', a, b)).toBe(semver.compare(a, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with semver.satisfies on generated versions and ranges (oracle)', () => {
    const range = fc.constantFrom('^1.2.3', '~0.2.0', '>=1.0.0 <2.0.0-0', '1.x || >=5.0.0', '*', '<=3.1.4', '^0.0.3', '1.2.3 - 4.5.6');
    fc.assert(
      fc.property(version, range, fc.boolean(), (v, r, includePrerelease) => {
        expect(satisfies('npm', v, r, { includePrerelease })).toBe(semver.satisfies(v, r, { includePrerelease }));
      }),
      { numRuns: 2000 },
    );
  });

  it('parses loosely like npm (v prefix, "=" prefix, spaces) and keeps build metadata in the normal form', () => {
    expect(parseVersion('npm', 'v1.2.3').normalized).toBe('1.2.3');
    expect(parseVersion('npm', '=1.2.3').normalized).toBe('1.2.3');
    expect(parseVersion('npm', '1.2.3-rc.1+build.5').normalized).toBe('1.2.3-rc.1+build.5');
    expect(parseVersion('npm', '1.2.3-rc.1').prerelease).toBe(true);
  });

  it.each(['', '1.2', 'latest', '1.2.3.4', '1.2.3-+', '9007199254740992.0.0'])('refuses %j', (input) => {
    expect(() => parseVersion('npm', input)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
  });

  it.each(['>=1.0.0 <<2', '=>1.0.0', '^^1', '1.x.x.x', '>=1.0.0 <2 ||| x'])('refuses the malformed range %j', (range) => {
    expect(() => satisfies('npm', '1.0.0', range)).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
  });
});

describe('crates.io (SemVer 2.0, Cargo requirements)', () => {
  it('is strict: no v prefix, no partial versions', () => {
    expect(() => parseVersion('crates.io', 'v1.2.3')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    expect(() => parseVersion('crates.io', '1.2')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    expect(() => parseVersion('crates.io', ' 1.2.3')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    expect(() => parseVersion('crates.io', '01.2.3')).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    expect(compareVersions('crates.io', '1.0.0-alpha.1', '1.0.0-alpha.beta')).toBe(-1);
    expect(compareVersions('crates.io', '1.0.0+a', '1.0.0+b')).toBe(0);
  });

  it('reads a bare requirement as caret and joins comparators with commas', () => {
    expect(cargoRequirementToNodeRange('1.2.3')).toBe('^1.2.3');
    expect(cargoRequirementToNodeRange('>= 1.2, < 1.5')).toBe('>=1.2 <1.5');
    expect(cargoRequirementToNodeRange('1.*')).toBe('1.*');
    expect(cargoRequirementToNodeRange('=1.2.3-alpha')).toBe('=1.2.3-alpha');
  });

  it.each([
    ['1.4.0', '1.2', true],
    ['2.0.0', '1.2', false],
    ['0.2.9', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.4.0', '>= 1.2, < 1.5', true],
    ['1.5.0', '>= 1.2, < 1.5', false],
    ['1.3.0-rc.1', '>= 1.2, < 1.5', false],
    ['1.2.3-rc.2', '^1.2.3-rc.1', true],
    ['7.0.0', '*', true],
    ['1.9.0', '1.*', true],
  ] as const)('%s matches %j: %s', (version, range, expected) => {
    expect(satisfies('crates.io', version, range)).toBe(expected);
  });

  it.each(['^^1', '1.2.3.4', '>= 1.0 <2.0', 'abc', '1.2 || 2'])('refuses the requirement %j', (range) => {
    expect(() => satisfies('crates.io', '1.0.0', range)).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
  });
});
