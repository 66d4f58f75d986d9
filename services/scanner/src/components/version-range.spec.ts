import { ScannerError } from '../common/scanner-error';
import { compileRange, parseVers } from './version-range';

describe('compileRange', () => {
  it('evaluates native ranges in the purl type ecosystem', () => {
    const npm = compileRange('npm', '', '>=4.0.0 <4.17.21');
    expect(npm('4.17.20')).toBe(true);
    expect(npm('4.17.21')).toBe(false);
    expect(npm('3.10.1')).toBe(false);
    const pypi = compileRange('pypi', '', '>=2.0,<2.31.0');
    expect(pypi('2.28.1')).toBe(true);
    expect(pypi('2.31.0')).toBe(false);
    const deb = compileRange('deb', 'debian', '<< 3.0.11-1~deb12u2');
    expect(deb('3.0.11-1~deb12u1')).toBe(true);
    expect(deb('3.0.11-1~deb12u2')).toBe(false);
    const maven = compileRange('maven', 'org.apache.logging.log4j', '[2.0,2.17.1)');
    expect(maven('2.14.1')).toBe(true);
    expect(maven('2.17.1')).toBe(false);
  });

  it('evaluates vers: ranges with the purl-spec algorithm', () => {
    const r = compileRange('npm', '', 'vers:npm/>=1.0.0|<1.2.3|>=2.0.0|<2.1.0|!=2.0.5|=3.0.0');
    expect(['1.0.0', '1.2.2', '2.0.0', '2.0.9', '3.0.0'].map(r)).toEqual([true, true, true, true, true]);
    expect(['0.9.0', '1.2.3', '1.5.0', '2.0.5', '2.1.0', '3.0.1'].map(r)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(compileRange('npm', '', 'vers:npm/<2.0.0')('1.9.9')).toBe(true);
    expect(compileRange('npm', '', 'vers:npm/>2.0.0')('2.0.0')).toBe(false);
    expect(compileRange('npm', '', 'vers:npm/*')('0.0.1')).toBe(true);
    expect(compileRange('deb', 'debian', 'vers:deb/<=1:2.0-1')('1:2.0-1')).toBe(true);
  });

  it('refuses unreadable ranges and unknown purl types with INVALID_RANGE', () => {
    expect(() => compileRange('npm', '', '>>>x')).toThrow(ScannerError);
    expect(() => compileRange('npm', '', 'vers:npm/')).toThrow(ScannerError);
    expect(() => compileRange('nosuchtype', '', '<1')).toThrow(
      expect.objectContaining({ code: 'INVALID_RANGE' }),
    );
  });

  it('parses vers constraints, with = as the default operator', () => {
    expect(parseVers('vers:pypi/1.0|>=2.0')).toEqual({
      scheme: 'pypi',
      constraints: [
        { op: '=', version: '1.0' },
        { op: '>=', version: '2.0' },
      ],
    });
  });
});
