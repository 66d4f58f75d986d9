import { isOciError } from './errors';
import {
  familiarName,
  formatReference,
  parseReference,
  registryEndpoint,
  toReference,
  type ImageReference,
} from './reference';

const SHA256 = `sha256:${'f'.repeat(64)}`;
const SHA512 = `sha512:${'f'.repeat(128)}`;

// Cases adapted from distribution/reference reference_test.go and normalize_test.go.
const valid: Array<[string, ImageReference]> = [
  ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
  ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
  ['docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
  ['index.docker.io/nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
  ['docker.io/library/nginx:latest', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
  ['user/app', { registry: 'docker.io', repository: 'user/app', tag: 'latest' }],
  ['test_com', { registry: 'docker.io', repository: 'library/test_com', tag: 'latest' }],
  ['test.com:tag', { registry: 'docker.io', repository: 'library/test.com', tag: 'tag' }],
  ['test.com:5000', { registry: 'docker.io', repository: 'library/test.com', tag: '5000' }],
  ['test.com/repo:tag', { registry: 'test.com', repository: 'repo', tag: 'tag' }],
  ['test:5000/repo', { registry: 'test:5000', repository: 'repo', tag: 'latest' }],
  ['test:5000/repo:tag', { registry: 'test:5000', repository: 'repo', tag: 'tag' }],
  [`test:5000/repo@${SHA256}`, { registry: 'test:5000', repository: 'repo', digest: SHA256 }],
  [`test:5000/repo:tag@${SHA256}`, { registry: 'test:5000', repository: 'repo', tag: 'tag', digest: SHA256 }],
  [`repo@${SHA256}`, { registry: 'docker.io', repository: 'library/repo', digest: SHA256 }],
  ['lowercase:Uppercase', { registry: 'docker.io', repository: 'library/lowercase', tag: 'Uppercase' }],
  [
    'sub-dom1.foo.com/bar/baz/quux',
    { registry: 'sub-dom1.foo.com', repository: 'bar/baz/quux', tag: 'latest' },
  ],
  [
    'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    { registry: 'sub-dom1.foo.com', repository: 'bar/baz/quux', tag: 'some-long-tag' },
  ],
  [
    'b.gcr.io/test.example.com/my-app:test.example.com',
    { registry: 'b.gcr.io', repository: 'test.example.com/my-app', tag: 'test.example.com' },
  ],
  ['xn--n3h.com/myimage:xn--n3h.com', { registry: 'xn--n3h.com', repository: 'myimage', tag: 'xn--n3h.com' }],
  [
    `xn--7o8h.com/myimage:xn--7o8h.com@${SHA512}`,
    { registry: 'xn--7o8h.com', repository: 'myimage', tag: 'xn--7o8h.com', digest: SHA512 },
  ],
  ['foo_bar.com:8080', { registry: 'docker.io', repository: 'library/foo_bar.com', tag: '8080' }],
  ['foo/foo_bar.com:8080', { registry: 'docker.io', repository: 'foo/foo_bar.com', tag: '8080' }],
  ['localhost/x', { registry: 'localhost', repository: 'x', tag: 'latest' }],
  ['localhost:5000/ns/x:v1', { registry: 'localhost:5000', repository: 'ns/x', tag: 'v1' }],
  ['Localhost/x', { registry: 'Localhost', repository: 'x', tag: 'latest' }],
  ['127.0.0.1:5000/a/b/c:1.0', { registry: '127.0.0.1:5000', repository: 'a/b/c', tag: '1.0' }],
  ['[2001:db8::1]/repo', { registry: '[2001:db8::1]', repository: 'repo', tag: 'latest' }],
  ['[2001:db8::1]:5000/repo:tag', { registry: '[2001:db8::1]:5000', repository: 'repo', tag: 'tag' }],
  [
    `[2001:db8::1]:5000/repo@${SHA256}`,
    { registry: '[2001:db8::1]:5000', repository: 'repo', digest: SHA256 },
  ],
  ['[::1]:5000/repo', { registry: '[::1]:5000', repository: 'repo', tag: 'latest' }],
  ['a__b/c--d/e.f-g_h', { registry: 'docker.io', repository: 'a__b/c--d/e.f-g_h', tag: 'latest' }],
  [`x:${'t'.repeat(128)}`, { registry: 'docker.io', repository: 'library/x', tag: 't'.repeat(128) }],
];

const invalid: Array<[string, string]> = [
  ['', 'empty'],
  [':justtag', 'missing repository'],
  [`@${SHA256}`, 'missing repository'],
  [`validname@invaliddigest:${'f'.repeat(64)}`, 'unsupported algorithm'],
  ['repo@sha256:abc', 'short sha256'],
  [`repo@sha256:${'F'.repeat(64)}`, 'uppercase hex'],
  [`repo@sha256:${'f'.repeat(65)}`, 'long sha256'],
  [`repo@sha512:${'f'.repeat(64)}`, 'short sha512'],
  ['Uppercase:tag', 'uppercase repository'],
  ['test:5000/Uppercase/lowercase:tag', 'uppercase path'],
  ['aa/asdf$$^/aa', 'bad characters'],
  ['a..b', 'double dot'],
  ['a___b', 'triple underscore'],
  ['-a', 'leading dash'],
  ['a-', 'trailing dash'],
  ['a/', 'trailing slash'],
  ['a//b', 'empty component'],
  ['repo:-tag', 'tag starts with dash'],
  ['repo:.tag', 'tag starts with dot'],
  [`repo:${'t'.repeat(129)}`, 'tag too long'],
  ['repo:ta g', 'space in tag'],
  ['[fe80::1%eth0]:5000/repo', 'ipv6 zone'],
  ['2001:db8::1/repo', 'unbracketed ipv6'],
  ['-bad.host/repo', 'host starts with dash'],
  [`${'a'.repeat(64)}`, 'image id'],
  [`example.com/${'a/'.repeat(125)}aaaa`, 'name longer than 255'],
];

describe('parseReference', () => {
  it.each(valid)('parses %s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it.each(invalid)('refuses %s (%s)', (input) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (error) {
      caught = error;
    }
    expect(isOciError(caught, 'INVALID_REFERENCE')).toBe(true);
    expect((caught as { details: { reference: string } }).details.reference).toBe(
      input.length > 4096 ? input.slice(0, 64) : input,
    );
  });
});

describe('formatReference and familiarName', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
    ['user/app:v1', 'docker.io/user/app:v1', 'user/app:v1'],
    ['library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest'],
    [`127.0.0.1:5000/x/y:t@${SHA256}`, `127.0.0.1:5000/x/y:t@${SHA256}`, `127.0.0.1:5000/x/y:t@${SHA256}`],
    [`ghcr.io/o/r@${SHA256}`, `ghcr.io/o/r@${SHA256}`, `ghcr.io/o/r@${SHA256}`],
  ])('%s formats as %s and familiar %s', (input, full, familiar) => {
    const reference = parseReference(input);
    expect(formatReference(reference)).toBe(full);
    expect(formatReference(reference, { familiar: true })).toBe(familiar);
    expect(parseReference(formatReference(reference))).toEqual(reference);
  });

  it('gives the short Docker Hub name', () => {
    expect(familiarName(parseReference('docker.io/library/nginx'))).toBe('nginx');
    expect(familiarName(parseReference('quay.io/library/nginx'))).toBe('quay.io/library/nginx');
  });
});

describe('registryEndpoint and toReference', () => {
  it('maps Docker Hub to its API host and leaves others alone', () => {
    expect(registryEndpoint('docker.io')).toBe('registry-1.docker.io');
    expect(registryEndpoint('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });

  it('revalidates a parsed reference object', () => {
    expect(toReference({ registry: 'ghcr.io', repository: 'o/r', tag: 'v1' })).toEqual({
      registry: 'ghcr.io',
      repository: 'o/r',
      tag: 'v1',
    });
    expect(() => toReference({ registry: 'docker.io', repository: 'nginx' })).toThrow(/normalized/);
    expect(() => toReference({ registry: 'ghcr.io', repository: 'O/r' })).toThrow(/lowercase/);
  });
});
