import { parseVersion, satisfies } from '../api';
import { rpmvercmp } from './rpm';
import { expectComparisons } from '../test-helpers';

describe('RPM (rpmvercmp)', () => {
  // Cases in the style of rpm's tests/rpmvercmp.at.
  it.each([
    ['1.0', '1.0', 0],
    ['1.0', '2.0', -1],
    ['2.0.1', '2.0', 1],
    ['2.0.1a', '2.0.1', 1],
    ['5.5p1', '5.5p2', -1],
    ['5.5p10', '5.5p1', 1],
    ['10xyz', '10.1xyz', -1],
    ['xyz10', 'xyz10.1', -1],
    ['xyz.4', 'xyz.4', 0],
    ['xyz.4', '8', -1],
    ['xyz.4', '2', -1],
    ['5.5p2', '5.6p1', -1],
    ['5.6p1', '6.5p1', -1],
    ['6.0.rc1', '6.0', 1],
    ['10b2', '10a1', 1],
    ['10a2', '10b2', -1],
    ['1.0aa', '1.0a', 1],
    ['10.0001', '10.1', 0],
    ['10.0001', '10.0039', -1],
    ['4.999.9', '5.0', -1],
    ['20101121', '20101120', 1],
    ['2_0', '2_0', 0],
    ['2.0', '2_0', 0],
    ['a+', 'a_', 0],
    ['+a', '_a', 0],
    ['+_', '_+', 0],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1', '1.0~rc2', -1],
    ['1.0~rc1~git123', '1.0~rc1', -1],
    ['1.0^', '1.0', 1],
    ['1.0^git1', '1.0', 1],
    ['1.0^git1', '1.01', -1],
    ['1.0^20160101', '1.0.1', -1],
    ['1.0^20160102', '1.0^20160101^git1', 1],
    ['1.0~rc1^git1', '1.0~rc1', 1],
    ['1.0^git1~pre', '1.0^git1', -1],
    ['1.0~rc1^git1', '1.0', -1],
    ['123456789012345678901234567890', '123456789012345678901234567889', 1],
  ] as const)('rpmvercmp(%j, %j) = %d', (a, b, expected) => {
    expect(rpmvercmp(a, b)).toBe(expected);
    expect(rpmvercmp(b, a)).toBe(-expected || 0);
  });

  it('compares epoch first, then version, then release', () => {
    expectComparisons('Red Hat', [
      ['1:1.0-1', '>', '2.0-1'],
      ['0:1.0-1', '=', '1.0-1'],
      ['1.0-2.el8', '>', '1.0-1.el8'],
      ['1.0-1.el8_9', '>', '1.0-1.el8'],
      ['2.0-1', '>', '1.99-99'],
      ['1.0-1', '>', '1.0'],
      ['1.0', '<', '1.0-~1'],
    ]);
  });

  it.each(['', '1.0-', '-1', '1.0-1-', '1.0 1', 'a:1.0', '1.0:2', '1.0-a/b'])('refuses %j', (input) => {
    expect(() => parseVersion('Rocky Linux:9', input)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
  });

  it('parses the release after the last hyphen and an empty epoch as 0', () => {
    expect(parseVersion('AlmaLinux', '2:1.2.3-4.el9').value).toEqual({ epoch: '2', version: '1.2.3', release: '4.el9' });
    expect(parseVersion('AlmaLinux', ':1.0').value).toEqual({ epoch: '0', version: '1.0', release: null });
  });

  it('matches dependency ranges like rpm: a constraint without release ignores the release', () => {
    expect(satisfies('Red Hat', '1.2-5.el8', '= 1.2')).toBe(true);
    expect(satisfies('Red Hat', '1.2-5.el8', '>= 1.2')).toBe(true);
    expect(satisfies('Red Hat', '1.2-5.el8', '< 1.2')).toBe(false);
    expect(satisfies('Red Hat', '1.2-5.el8', '< 1.2-6')).toBe(true);
    expect(satisfies('Red Hat', '1:1.0-1', '> 2.0')).toBe(true);
    expect(satisfies('Red Hat', '1.0~rc1-1', '< 1.0')).toBe(true);
  });
});
