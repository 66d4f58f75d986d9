import { existsSync } from 'node:fs';
import type { RegistryClient, RegistryClientOptions } from '@stella/oci';
import { ScanError } from '../errors';
import type { ImageSource } from './image-source';
import { DockerArchiveSource, OciLayoutSource } from './local-archives';

/**
 * `oci:<dir>[:<tag>]`, `oci-archive:<file>[:<tag>]`, `docker-archive:<file>[:<repo:tag>]`,
 * `docker://<ref>` or a plain reference (`registry/repo:tag`, `repo@sha256:…`). A path that
 * exists as written wins over splitting off a `:<tag>` suffix, so paths may contain colons.
 */
export function parseImageSource(
  input: string,
  registry?: RegistryClient | RegistryClientOptions,
): ImageSource {
  if (typeof input !== 'string' || input.trim() === '')
    throw new ScanError('INVALID_SOURCE', 'empty image source');
  const prefixed = /^(oci|oci-archive|docker-archive):(.+)$/.exec(input);
  if (prefixed) {
    const [, transport, rest] = prefixed as unknown as [
      string,
      'oci' | 'oci-archive' | 'docker-archive',
      string,
    ];
    let path = rest;
    let selector: string | undefined;
    if (!existsSync(rest)) {
      // docker-archive selectors are "repo:tag" themselves, so split at the first colon after the path.
      const split =
        transport === 'docker-archive' ? firstColonAfterExistingPath(rest) : rest.lastIndexOf(':');
      if (split > 0) {
        path = rest.slice(0, split);
        selector = rest.slice(split + 1) || undefined;
      }
    }
    if (!existsSync(path)) throw new ScanError('SOURCE_NOT_FOUND', `${path} does not exist`, { path });
    if (transport === 'docker-archive') return new DockerArchiveSource(path, selector);
    return new OciLayoutSource(path, transport === 'oci' ? 'directory' : 'archive', selector);
  }
  const reference = input.startsWith('docker://') ? input.slice('docker://'.length) : input;
  // Required here, not at the top: it loads the registry client's HTTP stack, which local scans never need.
  const { RegistrySource } = require('./registry-source') as typeof import('./registry-source');
  return new RegistrySource(reference, registry);
}

function firstColonAfterExistingPath(rest: string): number {
  for (let i = rest.indexOf(':'); i > 0; i = rest.indexOf(':', i + 1))
    if (existsSync(rest.slice(0, i))) return i;
  return -1;
}
