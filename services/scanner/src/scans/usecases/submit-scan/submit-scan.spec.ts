import { ScannerError } from '../../../common/scanner-error';
import { packageKeyOf } from '../../../components/query-components.usecase';
import { submitScanCommand } from './submit-scan.command';

describe('submitScanCommand', () => {
  it('accepts a reference and an optional platform and idempotency key', () => {
    expect(
      submitScanCommand('acme', { image: 'reg.local/app:1.0', platform: 'linux/arm64/v8' }, 'k-1'),
    ).toEqual({
      tenantId: 'acme',
      image: 'reg.local/app:1.0',
      platform: 'linux/arm64/v8',
      idempotencyKey: 'k-1',
    });
    expect(
      submitScanCommand('acme', { image: 'reg.local/app@sha256:' + 'a'.repeat(64) }, '').idempotencyKey,
    ).toBe(undefined);
  });

  it('names every offending field', () => {
    try {
      submitScanCommand('acme', { image: 'a b', platform: 'amd64', extra: 1 }, undefined);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ScannerError);
      const paths = ((error as ScannerError).details.errors as Array<{ path: string }>)
        .map((e) => e.path)
        .sort();
      expect(paths).toEqual(['', 'image', 'platform']);
    }
  });

  it('refuses idempotency keys that are not printable ASCII', () => {
    expect(() => submitScanCommand('acme', { image: 'r/a:1' }, 'ключ')).toThrow(
      expect.objectContaining({ code: 'INVALID_IDEMPOTENCY_KEY' }),
    );
  });
});

describe('packageKeyOf', () => {
  it('normalises purls as the index stores them', () => {
    expect(packageKeyOf('pkg:npm/%40scope/util')).toEqual({
      purlType: 'npm',
      namespace: '@scope',
      name: 'util',
    });
    expect(packageKeyOf('pkg:maven/org.apache.logging.log4j/log4j-core')).toEqual({
      purlType: 'maven',
      namespace: 'org.apache.logging.log4j',
      name: 'log4j-core',
    });
    expect(packageKeyOf('pkg:PyPI/Requests').purlType).toBe('pypi');
  });

  it('refuses versions and non-purls', () => {
    expect(() => packageKeyOf('pkg:npm/lodash@4.17.20')).toThrow(
      expect.objectContaining({ code: 'INVALID_PURL' }),
    );
    expect(() => packageKeyOf('lodash')).toThrow(expect.objectContaining({ code: 'INVALID_PURL' }));
  });
});
