import { cvssVersionOf, primaryCvss, scoreCvss, severityOfScore } from './cvss';

describe('scoreCvss', () => {
  it.each([
    // Reference scores from FIRST's calculators.
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.1', 9.8, 'CRITICAL'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N', '3.1', 6.5, 'MEDIUM'],
    ['CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.0', 8.1, 'HIGH'],
    ['CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N', '4.0', 6.3, 'MEDIUM'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '4.0', 9.3, 'CRITICAL'],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', '2.0', 7.5, 'HIGH'],
  ])('%s -> %s %d %s', (vector, version, score, severity) => {
    expect(scoreCvss(vector)).toEqual({ version, vector, baseScore: score, severity });
  });

  it('keeps an incomplete vector without inventing a score', () => {
    expect(scoreCvss('CVSS:3.1/AV:N/AC:L')).toEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L',
      baseScore: null,
      severity: null,
    });
  });

  it('refuses text that is not a vector', () => {
    expect(scoreCvss('HIGH')).toBeNull();
    expect(scoreCvss('CVSS:9.9/AV:N')).toBeNull();
    expect(cvssVersionOf('<script>')).toBeNull();
  });

  it('rates scores with the FIRST table', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map((s) => severityOfScore(s, '3.1'))).toEqual([
      'NONE',
      'LOW',
      'LOW',
      'MEDIUM',
      'MEDIUM',
      'HIGH',
      'HIGH',
      'CRITICAL',
      'CRITICAL',
    ]);
  });

  it('ranks v3 above v4 above v2 and the higher score among equals', () => {
    const v31 = scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N')!;
    const v40 = scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')!;
    const v2 = scoreCvss('AV:N/AC:L/Au:N/C:P/I:P/A:P')!;
    expect(primaryCvss([v2, v40, v31])).toBe(v31);
    expect(primaryCvss([v2, v40])).toBe(v40);
    expect(primaryCvss([scoreCvss('CVSS:3.1/AV:N')!])).toBeNull();
  });
});
