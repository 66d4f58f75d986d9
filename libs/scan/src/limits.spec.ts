import { isScanError } from './errors';
import { DEFAULT_SCAN_LIMITS, resolveLimits, scanLimitsSchema } from './limits';

describe('scan limits', () => {
  it('defaults to what the schema gives for no limits, without a shared object', () => {
    expect(DEFAULT_SCAN_LIMITS).toEqual(scanLimitsSchema().parse({}));
    expect(resolveLimits(undefined)).toEqual(DEFAULT_SCAN_LIMITS);
    expect(resolveLimits(undefined)).not.toBe(DEFAULT_SCAN_LIMITS);
    expect(resolveLimits({ maxEntries: 5 })).toEqual({ ...DEFAULT_SCAN_LIMITS, maxEntries: 5 });
  });

  it('refuses invalid limits with the schema error', () => {
    let caught: unknown;
    try {
      resolveLimits({ maxEntries: -1 });
    } catch (error) {
      caught = error;
    }
    expect(isScanError(caught) && caught.code).toBe('INVALID_ARGUMENT');
    expect((caught as Error).message).toMatch(/^invalid scan limits: .*maxEntries/s);
  });
});
