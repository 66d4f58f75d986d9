import { posix } from 'node:path';
import { ScanError } from '../errors';

/**
 * Turns a tar entry name into a root-relative path (`usr/bin/env`, no leading slash), refusing
 * anything an extractor could be tricked with: absolute names, `..` components, NUL bytes and
 * overlong names. `./` prefixes and empty components are tolerated because real layers use them.
 * Returns null for the root directory itself.
 */
export function normalizeEntryPath(
  name: string,
  maxLength: number,
  context: Record<string, unknown> = {},
): string | null {
  if (name.includes('\0'))
    throw new ScanError('UNSAFE_PATH', 'entry name contains a NUL byte', { ...context, name });
  if (name.startsWith('/'))
    throw new ScanError('UNSAFE_PATH', `absolute path in layer: ${name}`, {
      ...context,
      name,
      reason: 'absolute',
    });
  const parts: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..')
      throw new ScanError('UNSAFE_PATH', `path traversal in layer entry: ${name}`, {
        ...context,
        name,
        reason: 'dot-dot',
      });
    parts.push(segment);
  }
  const path = parts.join('/');
  if (Buffer.byteLength(path) > maxLength)
    throw new ScanError('UNSAFE_PATH', `entry path longer than ${maxLength} bytes`, {
      ...context,
      name: name.slice(0, 256),
      reason: 'too-long',
    });
  return path === '' ? null : path;
}

/**
 * Checks that a symlink stays inside the image root when resolved lexically from its own
 * directory (absolute targets are anchored at the image root, as in a chroot). Returns the
 * root-relative path it points to. Links are only ever resolved in the virtual file index,
 * never on the host; a target that climbs above the root is refused because only an
 * extractor bug or an attack produces one.
 */
export function resolveLinkTarget(
  linkPath: string,
  target: string,
  context: Record<string, unknown> = {},
): string {
  if (target === '' || target.includes('\0'))
    throw new ScanError('LINK_ESCAPE', `symlink with an empty or NUL target: ${linkPath}`, {
      ...context,
      path: linkPath,
    });
  const base = target.startsWith('/')
    ? []
    : posix.dirname(linkPath) === '.'
      ? []
      : posix.dirname(linkPath).split('/');
  const parts = [...base];
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0)
        throw new ScanError('LINK_ESCAPE', `symlink escapes the image root: ${linkPath} -> ${target}`, {
          ...context,
          path: linkPath,
          target,
        });
      parts.pop();
      continue;
    }
    parts.push(segment);
  }
  return parts.join('/');
}

/** Root-relative path of a hard link's target; tar stores it like an entry name. */
export function normalizeHardLinkTarget(
  linkPath: string,
  target: string,
  maxLength: number,
  context: Record<string, unknown> = {},
): string {
  try {
    const normalized = normalizeEntryPath(target, maxLength, context);
    if (normalized === null) throw new Error('root');
    return normalized;
  } catch (error) {
    throw new ScanError(
      'LINK_ESCAPE',
      `hard link escapes the layer: ${linkPath} -> ${target}`,
      {
        ...context,
        path: linkPath,
        target,
      },
      { cause: error },
    );
  }
}
