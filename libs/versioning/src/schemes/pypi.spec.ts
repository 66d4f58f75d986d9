import { compareVersions, parseVersion, satisfies } from '../api';
import { isVersioningError } from '../errors';
import { expectStrictlyIncreasing } from '../test-helpers';

describe('PyPI (PEP 440)', () => {
  it('orders the PEP 440 example sequence of suffixes', () => {
    expectStrictlyIncreasing('PyPI', [
      '1.dev0',
      '1.0.dev456',
      '1.0a1',
      '1.0a2.dev456',
      '1.0a12.dev456',
      '1.0a12',
      '1.0b1.dev456',
      '1.0b2',
      '1.0b2.post345.dev456',
      '1.0b2.post345',
      '1.0rc1.dev456',
      '1.0rc1',
      '1.0',
      '1.0+abc.5',
      '1.0+abc.7',
      '1.0+5',
      '1.0.post456.dev34',
      '1.0.post456',
      '1.0.15',
      '1.1.dev1',
    ]);
  });

  it('puts any epoch above every version of a lower epoch', () => {
    expectStrictlyIncreasing('PyPI', ['2013.10', '2014.04', '1!1.0', '1!1.1', '2!0.1']);
  });

  it('compares local labels segment by segment, numbers above letters', () => {
    expectStrictlyIncreasing('PyPI', ['1.0', '1.0+abc', '1.0+abc.1', '1.0+abc.2', '1.0+abd', '1.0+1', '1.0+1.a', '1.0+1.1', '1.0+2']);
  });

  it.each([
    ['1.1RC1', '1.1rc1'],
    ['00', '0'],
    ['09000', '9000'],
    ['1.0+foo0100', '1.0+foo0100'],
    ['1.1.a1', '1.1a1'],
    ['1.1-a1', '1.1a1'],
    ['1.0a.1', '1.0a1'],
    ['1.1alpha1', '1.1a1'],
    ['1.1beta2', '1.1b2'],
    ['1.1c3', '1.1rc3'],
    ['1.1pre4', '1.1rc4'],
    ['1.1preview5', '1.1rc5'],
    ['1.2a', '1.2a0'],
    ['1.2-post2', '1.2.post2'],
    ['1.2post2', '1.2.post2'],
    ['1.2.post.2', '1.2.post2'],
    ['1.2-post-2', '1.2.post2'],
    ['1.0-r4', '1.0.post4'],
    ['1.0-rev4', '1.0.post4'],
    ['1.2.post', '1.2.post0'],
    ['1.0-1', '1.0.post1'],
    ['1.2-dev2', '1.2.dev2'],
    ['1.2dev2', '1.2.dev2'],
    ['1.2.dev', '1.2.dev0'],
    ['1.0+ubuntu-1', '1.0+ubuntu.1'],
    ['1.0+Ubuntu_01', '1.0+ubuntu.1'],
    ['v1.0', '1.0'],
    [' 1.0 ', '1.0'],
    ['1!2.0', '1!2.0'],
    ['0!2.0', '2.0'],
  ])('normalises %j to %j (PEP 440 normalisation rules)', (input, normalized) => {
    expect(parseVersion('PyPI', input).normalized).toBe(normalized);
  });

  it.each(['1.0-', 'french toast', '1.0.x', '1..0', '1.0+', '1.0+ubuntu..1', '', '1.0 .post1', '1,0'])(
    'refuses %j as INVALID_VERSION',
    (input) => {
      expect(() => parseVersion('PyPI', input)).toThrow(expect.objectContaining({ code: 'INVALID_VERSION' }));
    },
  );

  it('treats trailing zeros as insignificant and pre/dev as pre-releases, post as not', () => {
    expect(compareVersions('PyPI', '1.0', '1.0.0.0')).toBe(0);
    expect(parseVersion('PyPI', '1.0.dev1').prerelease).toBe(true);
    expect(parseVersion('PyPI', '1.0rc1').prerelease).toBe(true);
    expect(parseVersion('PyPI', '1.0.post1').prerelease).toBe(false);
  });

  describe('specifiers', () => {
    const rows: Array<[string, string, boolean]> = [
      // Compatible release: ~=2.2 is >=2.2, ==2.*
      ['2.2', '~=2.2', true],
      ['2.9.1', '~=2.2', true],
      ['3.0', '~=2.2', false],
      ['2.1', '~=2.2', false],
      ['1.4.9', '~=1.4.5', true],
      ['1.5.0', '~=1.4.5', false],
      ['2.3', '~=2.2.post3', true],
      ['2.2.post2', '~=2.2.post3', false],
      ['1.4.5a5', '~=1.4.5a4', true],
      ['1.4.6', '~=1.4.5a4', true],
      ['2.2.9', '~=2.2.0', true],
      ['2.3.0', '~=2.2.0', false],
      // Version matching with zero padding and prefix matching
      ['1.1.0', '==1.1', true],
      ['1.1.post1', '==1.1', false],
      ['1.1.post1', '==1.1.*', true],
      ['1.1a1', '==1.1.*', true],
      ['1.10', '==1.1.*', false],
      ['1.1', '==1.1.0.*', true],
      ['1!1.1', '==1.1.*', false],
      ['1.1.post1', '!=1.1', true],
      ['1.1.3', '!=1.1.*', false],
      ['1.2', '!=1.1.*', true],
      // Local versions: ignored unless the specifier has one
      ['1.7.1+local', '==1.7.1', true],
      ['1.7.1+local', '==1.7.1+local', true],
      ['1.7.1', '==1.7.1+local', false],
      ['1.7.1+other', '==1.7.1+local', false],
      ['1.7.1+local', '<=1.7.1', true],
      ['1.7.1+local', '>=1.7.1', true],
      // Exclusive ordered comparisons
      ['1.7.1', '>1.7', true],
      ['1.7.0.post1', '>1.7', false],
      ['1.7.0+local', '>1.7', false],
      ['1.7.1', '>1.7.post2', true],
      ['1.7.0.post3', '>1.7.post2', true],
      ['1.7.0', '>1.7.post2', false],
      ['1.6.9', '<1.7', true],
      ['1.7.0rc1', '<1.7', false],
      ['1.7.0rc1', '<1.7rc2', true],
      // Arbitrary equality compares the normalised spelling as a string
      ['1.0', '===1.0', true],
      ['1.0.0', '===1.0', false],
      ['v1.0', '===1.0', false],
      ['1.0+ABC', '===1.0+abc', true],
      // Sets: every clause must hold
      ['1.5', '>=1.0, <2.0, !=1.5', false],
      ['1.6', '>=1.0, <2.0, !=1.5', true],
      ['3.0', '', true],
    ];
    it.each(rows)('%s in "%s" is %s (pre-releases admitted)', (version, range, expected) => {
      expect(satisfies('PyPI', version, range, { includePrerelease: true })).toBe(expected);
    });

    it('admits pre-releases by default like packaging 26, and excludes them on request unless named', () => {
      expect(satisfies('PyPI', '2.0b1', '>=1.0')).toBe(true);
      expect(satisfies('PyPI', '2.0b1', '>=1.0', { includePrerelease: false })).toBe(false);
      expect(satisfies('PyPI', '2.0b1', '>=1.0b1', { includePrerelease: false })).toBe(true);
      expect(satisfies('PyPI', '1.0.post1', '>=1.0', { includePrerelease: false })).toBe(true);
      expect(satisfies('PyPI', '1.0.dev1', '', { includePrerelease: false })).toBe(false);
      expect(satisfies('PyPI', '2.0rc1', '<2')).toBe(false);
    });

    it.each(['~=1', '>=1.0.*', '<1.0+local', '==1.0rc1.*', '=>1.0', '>=', '>=1.0,,<2', 'foo'])(
      'refuses the malformed specifier %j as INVALID_RANGE',
      (range) => {
        let error: unknown;
        try {
          satisfies('PyPI', '1.0', range);
        } catch (e) {
          error = e;
        }
        expect(isVersioningError(error, 'INVALID_RANGE')).toBe(true);
      },
    );
  });
});
