import { parseDigest } from './digest';
import { OciError } from './errors';

/** A fully qualified image reference: registry and repository always set, tag and/or digest. */
export interface ImageReference {
  /** Registry host with optional port, as named in the reference: `docker.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path inside the registry: `library/nginx`, `team/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB_REGISTRY = 'docker.io';
/** The host that actually serves Docker Hub's Distribution API. */
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
const OFFICIAL_REPOSITORY_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

// Grammar of github.com/distribution/reference (regexp.go), kept as close to the source as possible.
const ALPHA_NUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHA_NUMERIC}(?:${SEPARATOR}${ALPHA_NUMERIC})*`;
const REMOTE_NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_NAME_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_NAME_COMPONENT}(?:\\.${DOMAIN_NAME_COMPONENT})*`;
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const ANCHORED_IMAGE_ID = /^[a-f0-9]{64}$/;

function invalid(input: string, reason: string): OciError<'INVALID_REFERENCE'> {
  return new OciError('INVALID_REFERENCE', `invalid reference "${input}": ${reason}`, {
    details: { reference: input, reason },
  });
}

/** Docker's splitDockerDomain: a first path component is a host only if it has a dot, a port, is localhost or has uppercase. */
function splitDomain(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  let registry: string;
  let repository: string;
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    registry = DOCKER_HUB_REGISTRY;
    repository = name;
  } else {
    registry = first;
    repository = name.slice(slash + 1);
  }
  if (registry === LEGACY_DOCKER_HUB) registry = DOCKER_HUB_REGISTRY;
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes('/'))
    repository = OFFICIAL_REPOSITORY_PREFIX + repository;
  return { registry, repository };
}

/**
 * Parses every reference form Docker accepts (`nginx`, `name:tag`, `name@sha256:…`,
 * `host:port/ns/name:tag@digest`, `[::1]:5000/x`) into a fully qualified reference.
 * A reference with neither tag nor digest gets the `latest` tag. Throws INVALID_REFERENCE.
 */
export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string' || input.length === 0) throw invalid(String(input), 'empty reference');
  if (input.length > 4096) throw invalid(input.slice(0, 64), 'reference too long');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      parseDigest(digest);
    } catch (error) {
      throw invalid(input, error instanceof Error ? error.message : 'invalid digest');
    }
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1 && colon > rest.lastIndexOf('/') && !rest.slice(colon).includes(']')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input, `invalid tag "${tag}"`);
  }

  if (rest.length === 0) throw invalid(input, 'missing repository name');
  if (ANCHORED_IMAGE_ID.test(rest))
    throw invalid(input, 'a 64-character hexadecimal name is an image ID, not a repository');

  const { registry, repository } = splitDomain(rest);
  if (!DOMAIN_AND_PORT.test(registry)) throw invalid(input, `invalid registry host "${registry}"`);
  if (repository.toLowerCase() !== repository) throw invalid(input, 'repository name must be lowercase');
  if (!REMOTE_NAME.test(repository)) throw invalid(input, `invalid repository name "${repository}"`);
  if (registry.length + 1 + repository.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(input, `repository name longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }

  const reference: ImageReference = { registry, repository };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  if (tag === undefined && digest === undefined) reference.tag = DEFAULT_TAG;
  return reference;
}

/** Validates a repository path (`ns/name`) without registry, tag or digest. */
export function assertRepository(repository: string): string {
  if (
    typeof repository !== 'string' ||
    !REMOTE_NAME.test(repository) ||
    repository.length > NAME_TOTAL_LENGTH_MAX
  ) {
    throw invalid(String(repository), 'invalid repository name');
  }
  return repository;
}

/** Validates a tag on its own. */
export function assertTag(tag: string): string {
  if (typeof tag !== 'string' || !TAG.test(tag)) throw invalid(String(tag), 'invalid tag');
  return tag;
}

/** `docker.io/library/nginx` becomes `nginx`, `docker.io/team/app` becomes `team/app`; other registries stay whole. */
export function familiarName(reference: Pick<ImageReference, 'registry' | 'repository'>): string {
  if (reference.registry !== DOCKER_HUB_REGISTRY) return `${reference.registry}/${reference.repository}`;
  const { repository } = reference;
  if (
    repository.startsWith(OFFICIAL_REPOSITORY_PREFIX) &&
    !repository.slice(OFFICIAL_REPOSITORY_PREFIX.length).includes('/')
  ) {
    return repository.slice(OFFICIAL_REPOSITORY_PREFIX.length);
  }
  return repository;
}

/** Canonical string form (`registry/repository[:tag][@digest]`), or the short Docker form with `familiar`. */
export function formatReference(reference: ImageReference, options: { familiar?: boolean } = {}): string {
  const name = options.familiar ? familiarName(reference) : `${reference.registry}/${reference.repository}`;
  return `${name}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}

/** Host that serves the Distribution API for a registry name (Docker Hub's name and API host differ). */
export function registryEndpoint(registry: string): string {
  return registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_ENDPOINT : registry;
}

/** Accepts a reference string or an already parsed one (validated again, since it may come from outside). */
export function toReference(reference: string | ImageReference): ImageReference {
  if (typeof reference === 'string') return parseReference(reference);
  const text = formatReference(reference);
  const parsed = parseReference(text);
  if (parsed.registry !== reference.registry || parsed.repository !== reference.repository) {
    throw invalid(text, 'reference is not in normalized form');
  }
  return parsed;
}
