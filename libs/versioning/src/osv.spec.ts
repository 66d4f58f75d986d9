import { type AffectedResult, VersioningError, compileAffected, isAffected } from './index';

const semverRange = (...events: object[]) => ({ ranges: [{ type: 'SEMVER', events }] });
const ecosystemRange = (...events: object[]) => ({ ranges: [{ type: 'ECOSYSTEM', events }] });
const verdict = (r: AffectedResult): boolean | string => ('unknown' in r ? `unknown:${r.reason}` : r.affected);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof VersioningError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('isAffected: the OSV evaluation algorithm', () => {
  it('treats introduced "0" as before every version', () => {
    const affected = semverRange({ introduced: '0' });
    expect(['0.0.0', '0.0.0-0', '10.0.0'].map((v) => verdict(isAffected('npm', v, affected)))).toEqual([true, true, true]);
  });

  it('excludes the fixed version and everything above it', () => {
    const affected = semverRange({ introduced: '0' }, { fixed: '1.0.2' });
    expect(['1.0.1', '1.0.2-rc.1', '1.0.2', '2.0.0'].map((v) => verdict(isAffected('npm', v, affected)))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('handles several intervals in one range, in any event order', () => {
    const events = [{ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' }];
    const shuffled = [events[3], events[0], events[2], events[1]] as object[];
    for (const list of [events, shuffled]) {
      const affected = semverRange(...list);
      expect(['0.9.0', '1.0.0', '1.0.1', '1.0.2', '2.5.0', '3.0.0', '3.2.4', '3.2.5'].map((v) => verdict(isAffected('npm', v, affected)))).toEqual([
        false,
        true,
        true,
        false,
        false,
        true,
        true,
        false,
      ]);
    }
  });

  it('includes a version equal to a fixed and an introduced event (adjacent intervals)', () => {
    const events = [{ introduced: '1.0.0' }, { fixed: '2.0.0' }, { introduced: '2.0.0' }, { fixed: '3.0.0' }];
    expect(verdict(isAffected('npm', '2.0.0', semverRange(...events)))).toBe(true);
    expect(verdict(isAffected('npm', '2.0.0', semverRange(...[...events].reverse())))).toBe(true);
    expect(verdict(isAffected('npm', '3.0.0', semverRange(...events)))).toBe(false);
  });

  it('includes last_affected itself', () => {
    const affected = ecosystemRange({ introduced: '1.0' }, { last_affected: '1.4' });
    expect(['0.9', '1.0', '1.4', '1.4.0', '1.4.post1', '1.5'].map((v) => verdict(isAffected('PyPI', v, affected)))).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('applies limit events: only versions below some limit can be affected', () => {
    const affected = ecosystemRange({ introduced: '0' }, { limit: '2.0' }, { limit: '1.5' });
    expect(['1.0', '1.9', '2.0'].map((v) => verdict(isAffected('PyPI', v, affected)))).toEqual([true, true, false]);
    expect(verdict(isAffected('PyPI', '99', ecosystemRange({ introduced: '0' }, { limit: '*' })))).toBe(true);
  });

  it('uses the ecosystem ordering for ECOSYSTEM ranges (Debian real record)', () => {
    const affected = {
      package: { ecosystem: 'Debian:6.0', name: 'chkrootkit' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.49-4+deb6u1' }] }],
    };
    expect(verdict(isAffected('Debian:6.0', '0.49-4', affected))).toBe(true);
    expect(verdict(isAffected('Debian:6.0', '0.49-4+deb6u1', affected))).toBe(false);
    expect(verdict(isAffected('Debian:6.0', '0.49-4+deb6u1~1', affected))).toBe(true);
  });

  it('reads Go versions with their "v" against SEMVER events without one, pseudo-versions included', () => {
    const affected = semverRange({ introduced: '0' }, { fixed: '1.6.0' });
    expect(verdict(isAffected('Go', 'v1.5.0', affected))).toBe(true);
    expect(verdict(isAffected('Go', 'v1.6.0', affected))).toBe(false);
    expect(verdict(isAffected('Go', 'v1.6.0-0.20200101000000-abcdefabcdef', affected))).toBe(true);
    expect(verdict(isAffected('Go', 'v2.0.0+incompatible', affected))).toBe(false);
  });

  it('matches an explicit versions list exactly, or by ecosystem equality', () => {
    const affected = { versions: ['1.0.0', 'weird-tag'] };
    expect(verdict(isAffected('PyPI', '1.0', affected))).toBe(true);
    expect(verdict(isAffected('PyPI', 'weird-tag', affected))).toBe(true);
    expect(verdict(isAffected('PyPI', '1.0.1', affected))).toBe(false);
  });
});

describe('isAffected: what it cannot decide', () => {
  it('ignores GIT ranges with a reason and still answers from the versions list', () => {
    const affected = {
      ranges: [{ type: 'GIT', repo: 'https://example.org/r.git', events: [{ introduced: '0' }, { fixed: 'a'.repeat(40) }] }],
      versions: ['0.9'],
    };
    expect(isAffected('PyPI', '0.9', affected)).toEqual({
      affected: true,
      ignored: [{ index: 0, type: 'GIT', reason: 'GIT_RANGE_NEEDS_REPOSITORY' }],
    });
    expect(isAffected('PyPI', '1.0', affected)).toEqual({
      affected: false,
      ignored: [{ index: 0, type: 'GIT', reason: 'GIT_RANGE_NEEDS_REPOSITORY' }],
    });
  });

  it('is unknown when only GIT ranges exist, or nothing at all', () => {
    const onlyGit = { ranges: [{ type: 'GIT', repo: 'r', events: [{ introduced: '0' }] }] };
    expect(verdict(isAffected('PyPI', '1.0', onlyGit))).toBe('unknown:NO_EVALUABLE_DATA');
    expect(verdict(isAffected('PyPI', '1.0', {}))).toBe('unknown:NO_EVALUABLE_DATA');
  });

  it('ignores range types OSV does not define', () => {
    const result = isAffected('npm', '1.0.0', {
      ranges: [{ type: 'CALVER', events: [{ introduced: '0' }] }, { type: 'SEMVER', events: [{ introduced: '0' }] }],
    });
    expect(result).toEqual({ affected: true, ignored: [{ index: 0, type: 'CALVER', reason: 'UNSUPPORTED_RANGE_TYPE' }] });
  });

  it('never answers false for a version it cannot parse', () => {
    const affected = ecosystemRange({ introduced: '0' }, { fixed: '2.0' });
    const result = isAffected('PyPI', 'not a version', affected);
    expect(result).toMatchObject({ unknown: true, reason: 'UNPARSEABLE_VERSION' });
    expect(verdict(isAffected('PyPI', '1.0-foo', { versions: ['1.0'] }))).toBe('unknown:UNPARSEABLE_VERSION');
    // SEMVER ranges need a SemVer version even when the ecosystem would accept the string.
    expect(verdict(isAffected('PyPI', '1.0', semverRange({ introduced: '0' }, { fixed: '2.0.0' })))).toBe(
      'unknown:UNPARSEABLE_VERSION',
    );
  });

  it('is unknown for unparseable events unless another range already says affected', () => {
    const bad = { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: 'not-a-version' }] };
    const good = { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '2.0' }] };
    expect(verdict(isAffected('Debian', '1.5', { ranges: [bad] }))).toBe('unknown:UNPARSEABLE_EVENT');
    expect(verdict(isAffected('Debian', '1.5', { ranges: [bad, good] }))).toBe(true);
    expect(verdict(isAffected('Debian', '2.5', { ranges: [bad, good] }))).toBe('unknown:UNPARSEABLE_EVENT');
  });

  it('is unknown for a range without an introduced event', () => {
    expect(verdict(isAffected('npm', '1.0.0', semverRange({ fixed: '2.0.0' })))).toBe('unknown:MALFORMED_RANGE');
  });
});

describe('isAffected: refused input', () => {
  it('throws INVALID_OSV_AFFECTED for entries that break the schema', () => {
    expect(codeOf(() => isAffected('npm', '1.0.0', semverRange({ introduced: '0', fixed: '1.0.0' })))).toBe('INVALID_OSV_AFFECTED');
    expect(codeOf(() => isAffected('npm', '1.0.0', { ranges: [{ type: 'SEMVER', events: 'x' }] }))).toBe('INVALID_OSV_AFFECTED');
    expect(codeOf(() => isAffected('npm', '1.0.0', 'affected'))).toBe('INVALID_OSV_AFFECTED');
    expect(codeOf(() => isAffected('npm', '1.0.0', { versions: [1] }))).toBe('INVALID_OSV_AFFECTED');
  });

  it('throws INVALID_INPUT for absurd versions and UNKNOWN_ECOSYSTEM for unknown ecosystems', () => {
    expect(codeOf(() => isAffected('npm', '9'.repeat(300), semverRange({ introduced: '0' })))).toBe('INVALID_INPUT');
    expect(codeOf(() => isAffected('npm', '1.0.0\u0007', semverRange({ introduced: '0' })))).toBe('INVALID_INPUT');
    expect(codeOf(() => isAffected('Packagist', '1.0.0', semverRange({ introduced: '0' })))).toBe('UNKNOWN_ECOSYSTEM');
  });
});

describe('compileAffected', () => {
  it('evaluates many versions against one prepared entry, the same as isAffected', () => {
    const affected = ecosystemRange({ introduced: '1.0' }, { fixed: '1.2' }, { introduced: '2.0' });
    const evaluator = compileAffected('PyPI', affected);
    for (const v of ['0.5', '1.0', '1.1.9', '1.2', '1.9', '2.0', '3.0rc1', 'garbage']) {
      expect(evaluator.evaluate(v)).toEqual(isAffected('PyPI', v, affected));
    }
  });
});
