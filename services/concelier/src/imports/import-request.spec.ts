import { packageKeysOf } from '../persistence/advisory-store';
import { importRequestSchema } from './import-request';

describe('import request', () => {
  it('takes exactly one origin and defaults the connector to auto', () => {
    expect(importRequestSchema.parse({ path: 'osv/npm.osv.jsonl' })).toEqual({
      source: 'auto',
      path: 'osv/npm.osv.jsonl',
    });
    expect(importRequestSchema.safeParse({}).success).toBe(false);
    expect(importRequestSchema.safeParse({ path: 'a', content: 'b' }).success).toBe(false);
    expect(importRequestSchema.safeParse({ contentBase64: 'not base64!', name: 'all.zip' }).success).toBe(
      false,
    );
  });

  it('refuses unknown connectors, plain-http URLs, odd upload names and unknown fields', () => {
    expect(importRequestSchema.safeParse({ source: 'gitlab', path: 'x' }).success).toBe(false);
    expect(importRequestSchema.safeParse({ url: 'http://example.com/all.zip' }).success).toBe(false);
    expect(importRequestSchema.safeParse({ content: 'x', name: '../feed.jsonl' }).success).toBe(false);
    expect(importRequestSchema.safeParse({ path: 'x', merge: true }).success).toBe(false);
  });
});

describe('packageKeysOf', () => {
  it('lists the index keys of an advisory, distro release included, and skips unknown ecosystems', () => {
    expect(
      packageKeysOf({
        kind: 'advisory',
        advisory: {
          id: 'DSA-1',
          source: 'osv',
          aliases: [],
          cvss: [],
          cwes: [],
          references: [],
          affected: [
            { ecosystem: 'Debian:12', name: 'openssl', fixedVersions: [] },
            { ecosystem: 'PyPI', name: 'Foo_Bar', fixedVersions: [] },
            { ecosystem: 'Packagist', name: 'x/y', fixedVersions: [] },
          ],
        },
      }),
    ).toEqual(['debian:12|openssl', 'pypi|foo-bar']);
    expect(packageKeysOf({ kind: 'kev', catalogVersion: '1', dateReleased: 'x', entries: [] })).toEqual([]);
  });
});
