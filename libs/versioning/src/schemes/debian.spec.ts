import { parseVersion, satisfies } from '../api';
import { expectComparisons, expectStrictlyIncreasing } from '../test-helpers';

describe('Debian (dpkg)', () => {
  it('sorts ~ before everything, even the end of the string', () => {
    expectStrictlyIncreasing('Debian', ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a', '1.0+', '1.0.1']);
  });

  it('follows dpkg for epochs, revisions, letters and digit runs', () => {
    expectComparisons('Debian', [
      ['1:0.1', '>', '9.9'],
      ['0:1.0', '=', '1.0'],
      ['1.0', '=', '1.0-0'],
      ['1.0-1', '<', '1.0-1+deb12u1'],
      ['1.0-1~bpo1', '<', '1.0-1'],
      ['1.0~rc1-1', '<', '1.0-1'],
      ['2.30-1', '>', '2.4-1'],
      ['1.0a', '<', '1.0.'],
      ['1.0a', '<', '1.0+'],
      ['1.002', '=', '1.2'],
      ['0.9.8o-4squeeze15', '>', '0.9.8o-4squeeze14'],
      ['1:2.3.4-1', '<', '2:1.0-1'],
      ['7.6p2-4', '>', '7.6-0'],
      ['1.0.3-3', '>', '1.0-1'],
      ['1.3', '>', '1.2.2-2'],
      ['1.3', '>', '1.2.2'],
      ['0-pre', '=', '0-pre'],
      ['0-pre', '<', '0-pree'],
      ['1.1.6r2-2', '>', '1.1.6r-1'],
      ['2.6b2-1', '>', '2.6b-2'],
      ['98.1p5-1', '<', '98.1-pre2-b6-2'],
      ['0.4a6-2', '>', '0.4-1'],
      ['1:3.0.5-2', '<', '1:3.0.5.1'],
      ['10.11.1.3-2', '>', '10.11.1.3-1'],
      ['4.4.3-2', '<', '4.4.3-2+b1'],
      ['1.2.3-4ubuntu1', '>', '1.2.3-4'],
    ]);
  });

  it.each(['', 'a1.0', '1.0-', '1.0 -1', 'x:1.0', '1.0-1_2', '1.0_1', ':1.0', '1:', '99999999999:1.0', '1.0:1'])(
    'refuses %j',
    (input) => {
      expect(() => parseVersion('Debian', input)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    },
  );

  it('accepts colons and hyphens inside upstream when epoch and revision are present', () => {
    expect(parseVersion('Debian', '1:2.0:3-4-5').value).toEqual({ epoch: '1', upstream: '2.0:3-4', revision: '5' });
  });

  it('evaluates relations with << and >>, refusing the obsolete < and >', () => {
    expect(satisfies('Debian:12', '1.0-1', '>= 1.0-1, << 1.1')).toBe(true);
    expect(satisfies('Debian:12', '1.1~rc1-1', '<< 1.1')).toBe(true);
    expect(satisfies('Debian:12', '1.1-1', '>> 1.1')).toBe(true);
    expect(satisfies('Debian:12', '1.1', '= 1.1-0')).toBe(true);
    expect(satisfies('Debian:12', '2.0-1', '<< 1.0 | >= 2.0'.replace('|', '||'))).toBe(true);
    expect(() => satisfies('Debian', '1.0', '< 2.0')).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
  });
});
