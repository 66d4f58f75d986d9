import { packageKeysOfPurl, purlForPackageKey, versionlessPurl } from './package-keys';

describe('advisory package keys and purls', () => {
  it.each([
    ['npm|lodash', 'pkg:npm/lodash'],
    ['npm|@babel/traverse', 'pkg:npm/@babel/traverse'],
    ['pypi|requests', 'pkg:pypi/requests'],
    ['maven|org.apache.logging.log4j:log4j-core', 'pkg:maven/org.apache.logging.log4j/log4j-core'],
    ['go|github.com/gin-gonic/gin', 'pkg:golang/github.com/gin-gonic/gin'],
    ['debian:12|openssl', 'pkg:deb/debian/openssl'],
    ['alpine:v3.18|busybox', 'pkg:apk/alpine/busybox'],
    ['crates.io|tokio', 'pkg:cargo/tokio'],
  ])('%s asks the index about %s', (key, purl) => {
    expect(purlForPackageKey(key)).toBe(purl);
  });

  it('has no purl for an ecosystem without a purl type or a malformed key', () => {
    expect(purlForPackageKey('linux|kernel')).toBeNull();
    expect(purlForPackageKey('npm')).toBeNull();
    expect(purlForPackageKey('maven|no-group')).toBeNull();
  });

  it('gives the keys concelier indexes a component by, the source package included', () => {
    expect(packageKeysOfPurl('pkg:npm/lodash@4.17.20')).toEqual(['npm|lodash']);
    expect(packageKeysOfPurl('pkg:deb/debian/libssl3@3.0.11-1?distro=debian-12&upstream=openssl')).toEqual([
      'debian:12|libssl3',
      'debian:12|openssl',
    ]);
    expect(packageKeysOfPurl('not a purl')).toEqual([]);
  });

  it('drops version, qualifiers and subpath', () => {
    expect(versionlessPurl('pkg:npm/%40babel/core@7.1.0?x=1#sub')).toBe('pkg:npm/%40babel/core');
    expect(versionlessPurl('pkg:npm/lodash')).toBe('pkg:npm/lodash');
  });
});
