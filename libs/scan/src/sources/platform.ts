import type { Platform } from '@stella/oci';
import { ScanError } from '../errors';

// Same semantics as @stella/oci's platform helpers, kept here because importing @stella/oci at run
// time loads its HTTP stack (undici, ~200 ms): a local scan only loads it for registry sources.

export function parsePlatform(value: string): Platform {
  const parts = value.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[a-z0-9._-]+$/.test(part)))
    throw new ScanError(
      'INVALID_ARGUMENT',
      `invalid platform "${value}": expected os/architecture[/variant]`,
      {
        platform: value,
      },
    );
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant]
    .filter((part) => part !== undefined)
    .join('/');
}

/** arm64 images usually omit the `v8` variant; containerd treats the two as the same platform. */
function normalizedVariant(platform: Platform): string | undefined {
  if (platform.architecture === 'arm64' && (platform.variant === undefined || platform.variant === 'v8'))
    return 'v8';
  return platform.variant;
}

/** A wanted platform without variant matches any variant; with one it must match. */
export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  return wanted.variant === undefined || normalizedVariant(candidate) === normalizedVariant(wanted);
}
