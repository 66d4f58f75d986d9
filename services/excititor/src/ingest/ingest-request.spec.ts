import { canonicalProductKey, lookupKeys } from '../formats/product-key';
import { ingestRequestSchema } from './ingest-request';

describe('ingest request', () => {
  it('takes 1..100 documents, each as JSON or as text, never both', () => {
    expect(ingestRequestSchema.safeParse({ documents: [{ document: { a: 1 } }] }).success).toBe(true);
    expect(ingestRequestSchema.safeParse({ documents: [{ content: '{}' }] }).success).toBe(true);
    expect(ingestRequestSchema.safeParse({ documents: [] }).success).toBe(false);
    expect(ingestRequestSchema.safeParse({ documents: [{ document: {}, content: '{}' }] }).success).toBe(
      false,
    );
    expect(ingestRequestSchema.safeParse({ documents: [{ content: '{}', format: 'spdx' }] }).success).toBe(
      false,
    );
    expect(
      ingestRequestSchema.safeParse({ documents: Array.from({ length: 101 }, () => ({ content: '{}' })) })
        .success,
    ).toBe(false);
  });
});

describe('product keys', () => {
  it('canonicalises purls (qualifiers sorted), keeps image digests, and refuses other text', () => {
    expect(canonicalProductKey('pkg:deb/debian/openssl@3.0.11?distro=debian-12&arch=amd64')).toBe(
      'pkg:deb/debian/openssl@3.0.11?arch=amd64&distro=debian-12',
    );
    expect(canonicalProductKey(`sha256:${'a'.repeat(64)}`)).toBe(`sha256:${'a'.repeat(64)}`);
    expect(canonicalProductKey('product-ABC')).toBeNull();
  });

  it('looks a versioned purl up also as the whole product', () => {
    expect(lookupKeys('pkg:golang/github.com/rancher/rke2@v1.28.3')).toEqual([
      'pkg:golang/github.com/rancher/rke2@v1.28.3',
      'pkg:golang/github.com/rancher/rke2',
    ]);
    expect(lookupKeys('pkg:npm/a')).toEqual(['pkg:npm/a']);
  });
});
