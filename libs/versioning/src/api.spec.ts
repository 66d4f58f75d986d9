import {
  SUPPORTED_ECOSYSTEMS,
  VersioningError,
  compareParsed,
  compareVersions,
  ecosystemForPurlType,
  isVersioningError,
  parseVersion,
  resolveEcosystem,
  satisfies,
} from './index';

function errorOf(fn: () => unknown): VersioningError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VersioningError) return e;
    throw e;
  }
  throw new Error('expected a VersioningError');
}

describe('ecosystem names', () => {
  it.each([
    ['npm', 'npm', 'npm', null],
    ['PyPI', 'PyPI', 'pypi', null],
    ['pypi', 'PyPI', 'pypi', null],
    ['Maven:https://maven.google.com', 'Maven', 'maven', 'https://maven.google.com'],
    ['Go', 'Go', 'go', null],
    ['Debian:12', 'Debian', 'debian', '12'],
    ['Ubuntu:Pro:18.04:LTS', 'Ubuntu', 'debian', 'Pro:18.04:LTS'],
    ['Alpine:v3.18', 'Alpine', 'alpine', 'v3.18'],
    ['Red Hat:rhel_aus:8.4::appstream', 'Red Hat', 'rpm', 'rhel_aus:8.4::appstream'],
    ['Rocky Linux:9', 'Rocky Linux', 'rpm', '9'],
    ['AlmaLinux:8', 'AlmaLinux', 'rpm', '8'],
    ['RubyGems', 'RubyGems', 'rubygems', null],
    ['NuGet', 'NuGet', 'nuget', null],
    ['crates.io', 'crates.io', 'semver', null],
  ])('%s resolves to %s with the %s ordering', (input, ecosystem, scheme, release) => {
    expect(resolveEcosystem(input)).toEqual({ ecosystem, scheme, release });
  });

  it('refuses unknown ecosystems with a typed error listing the supported ones', () => {
    const error = errorOf(() => compareVersions('Packagist', '1.0', '2.0'));
    expect(error.code).toBe('UNKNOWN_ECOSYSTEM');
    expect(error.details['supported']).toEqual(SUPPORTED_ECOSYSTEMS);
    expect(errorOf(() => resolveEcosystem('')).code).toBe('INVALID_INPUT');
  });

  it.each([
    ['npm', undefined, 'npm'],
    ['pypi', undefined, 'PyPI'],
    ['maven', undefined, 'Maven'],
    ['golang', undefined, 'Go'],
    ['deb', undefined, 'Debian'],
    ['deb', 'ubuntu', 'Ubuntu'],
    ['deb', 'debian', 'Debian'],
    ['apk', undefined, 'Alpine'],
    ['apk', 'wolfi', 'Wolfi'],
    ['rpm', undefined, 'Red Hat'],
    ['rpm', 'rocky', 'Rocky Linux'],
    ['rpm', 'almalinux', 'AlmaLinux'],
    ['rpm', 'fedora', 'Red Hat'],
    ['gem', undefined, 'RubyGems'],
    ['nuget', undefined, 'NuGet'],
    ['cargo', undefined, 'crates.io'],
    ['NPM', undefined, 'npm'],
  ])('purl type %s (namespace %s) maps to %s', (type, namespace, expected) => {
    expect(ecosystemForPurlType(type, namespace)).toBe(expected);
  });

  it('refuses unknown purl types', () => {
    expect(errorOf(() => ecosystemForPurlType('composer')).code).toBe('UNKNOWN_PURL_TYPE');
  });
});

describe('input checks', () => {
  it.each([
    ['a 257-character version', 'npm', `1.0.0-${'a'.repeat(251)}`],
    ['a NUL byte', 'npm', '1.0.0\u0000'],
    ['a newline', 'Debian', '1.0\n'],
    ['an escape sequence', 'PyPI', '\u001b[31m1.0'],
    ['a C1 control', 'Maven', '1.0\u0085'],
  ])('refuses %s with INVALID_INPUT', (_what, ecosystem, version) => {
    const error = errorOf(() => parseVersion(ecosystem, version));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details['field']).toBe('version');
  });

  it('refuses non-string input and says which argument was wrong', () => {
    expect(errorOf(() => compareVersions('npm', '1.0.0', 42 as unknown as string)).details['field']).toBe('b');
    expect(errorOf(() => satisfies('npm', '1.0.0', 'x'.repeat(5000))).code).toBe('INVALID_INPUT');
  });

  it('accepts a 256-character version', () => {
    const version = `1.0.0-${'a'.repeat(250)}`;
    expect(version).toHaveLength(256);
    expect(parseVersion('npm', version).prerelease).toBe(true);
  });

  it('reports unparseable versions as INVALID_VERSION with the scheme', () => {
    const error = errorOf(() => compareVersions('Debian', 'not-a-version', '1.0'));
    expect(error.code).toBe('INVALID_VERSION');
    expect(error.details['scheme']).toBe('debian');
    expect(isVersioningError(error, 'INVALID_VERSION')).toBe(true);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'INVALID_VERSION', details: { scheme: 'debian' } });
  });
});

describe('compareParsed', () => {
  it('compares parsed versions of one scheme and refuses mixing schemes', () => {
    const a = parseVersion('PyPI', '1.0');
    const b = parseVersion('PyPI', '1.0.post1');
    expect(compareParsed(a, b)).toBe(-1);
    expect(compareParsed(b, a)).toBe(1);
    expect(errorOf(() => compareParsed(a, parseVersion('npm', '1.0.0'))).code).toBe('SCHEME_MISMATCH');
  });

  it('orders the same way across ecosystems that share a scheme', () => {
    expect(compareVersions('Ubuntu:22.04:LTS', '1.0~rc1', '1.0')).toBe(compareVersions('Debian', '1.0~rc1', '1.0'));
  });
});
