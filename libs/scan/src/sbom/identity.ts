import { createHash } from 'node:crypto';
import type { ScanResult } from '../model';

/** The scanner's version, written into SBOMs as their producing tool. */
export const SCANNER_VERSION: string = (require('../../package.json') as { version: string }).version;
export const SCANNER_NAME = 'stella-scan';

/** What identifies the scanned image: its config digest, plus the manifest it was reached through. */
export function imageIdentity(result: ScanResult): string {
  return `${result.image.configDigest}\n${result.image.manifestDigest ?? ''}`;
}

/** RFC 9562 UUID (version 8, name-based with SHA-256) from a namespace label and a name. */
export function deterministicUuid(label: string, name: string): string {
  const hash = createHash('sha256').update(`${label}\n${name}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The SBOM timestamp: the image config's `created` (normalized to seconds, UTC), never the wall
 * clock, so that scanning the same image twice gives the same bytes. Images without `created`
 * get the Unix epoch.
 */
export function sbomTimestamp(result: ScanResult): Date {
  const created = result.image.created ? Date.parse(result.image.created) : NaN;
  return new Date(Number.isFinite(created) ? Math.floor(created / 1000) * 1000 : 0);
}

/** `pkg:oci/<name>@<digest>?arch=…&repository_url=…` for registry images and OCI layouts with a manifest digest. */
export function imagePurl(result: ScanResult): string | undefined {
  const digest = result.image.manifestDigest;
  if (!digest) return undefined;
  const name = result.image.name;
  const withoutTag = name ? name.replace(/(:[^/:@]+)?(@.*)?$/, '') : undefined;
  const last = withoutTag ? (withoutTag.split('/').pop() ?? 'image') : 'image';
  const qualifiers = new URLSearchParams();
  qualifiers.set('arch', result.image.platform.architecture);
  if (withoutTag && withoutTag.includes('/')) qualifiers.set('repository_url', withoutTag);
  const tag = name ? /:([^/:@]+)$/.exec(name.replace(/@.*$/, ''))?.[1] : undefined;
  if (tag) qualifiers.set('tag', tag);
  return `pkg:oci/${encodeURIComponent(last.toLowerCase())}@${encodeURIComponent(digest)}?${qualifiers.toString()}`;
}
