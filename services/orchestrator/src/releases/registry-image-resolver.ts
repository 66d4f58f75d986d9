import {
  formatPlatform,
  isOciError,
  parseReference,
  RegistryClient,
  type OciError,
  type RegistryClientOptions,
} from '@stella/oci';
import { OrchestratorError } from '../common/errors';
import type { ImageResolver, ResolvedImage } from './image-resolver';

/**
 * ImageResolver over libs/oci. Tags are always asked of the registry (they move); a digest
 * verified once is remembered (content under a digest never changes), bounded LRU.
 */
export class RegistryImageResolver implements ImageResolver {
  private readonly client: RegistryClient;
  private readonly verified = new Map<string, ResolvedImage>();

  constructor(
    options: RegistryClientOptions,
    private readonly digestCacheSize: number,
  ) {
    this.client = new RegistryClient(options);
  }

  normalizeRepository(repository: string): string {
    try {
      const lastSegment = repository.slice(repository.lastIndexOf('/') + 1);
      if (repository.includes('@') || lastSegment.includes(':')) {
        throw new OrchestratorError('INVALID_IMAGE_REFERENCE', `repository ${repository} must not carry a tag or digest`, {
          repository,
        });
      }
      const ref = parseReference(repository);
      return `${ref.registry}/${ref.repository}`;
    } catch (error) {
      if (error instanceof OrchestratorError) throw error;
      throw new OrchestratorError('INVALID_IMAGE_REFERENCE', `invalid repository ${repository}`, { repository }, { cause: error });
    }
  }

  async resolve(repository: string, pin: { tag?: string; digest?: string }): Promise<ResolvedImage> {
    const repo = this.normalizeRepository(repository);
    if (pin.tag === undefined && pin.digest !== undefined) {
      const key = `${repo}@${pin.digest}`;
      const cached = this.verified.get(key);
      if (cached) {
        this.verified.delete(key);
        this.verified.set(key, cached);
        return cached;
      }
      const resolved = await this.lookup(repo, `${repo}@${pin.digest}`, pin);
      this.remember(key, resolved);
      return resolved;
    }
    const resolved = await this.lookup(repo, `${repo}:${pin.tag}`, pin);
    if (pin.digest !== undefined && pin.digest !== resolved.digest) {
      throw new OrchestratorError(
        'TAG_DIGEST_MISMATCH',
        `${repo}:${pin.tag} points to ${resolved.digest}, not to the pinned ${pin.digest}`,
        { repository: repo, tag: pin.tag, expected: pin.digest, actual: resolved.digest },
      );
    }
    return resolved;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async lookup(repository: string, reference: string, pin: { tag?: string; digest?: string }): Promise<ResolvedImage> {
    try {
      const image = await this.client.resolve(reference);
      return {
        repository,
        digest: image.digest,
        mediaType: image.mediaType,
        ...(pin.tag === undefined ? {} : { tag: pin.tag }),
        platforms: (image.platforms ?? []).map((p) => ({ platform: formatPlatform(p.platform), digest: p.digest })),
      };
    } catch (error) {
      if (isOciError(error)) throw fromOciError(error, repository, pin);
      throw error;
    }
  }

  private remember(key: string, image: ResolvedImage): void {
    if (this.digestCacheSize === 0) return;
    this.verified.set(key, image);
    if (this.verified.size > this.digestCacheSize) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
  }
}

/** Registry failures as orchestrator errors, naming the repository, tag and digest involved. */
export function fromOciError(error: OciError, repository: string, pin: { tag?: string; digest?: string }): OrchestratorError {
  const facts = { repository, ...(pin.tag ? { tag: pin.tag } : {}), ...(pin.digest ? { digest: pin.digest } : {}) };
  const cause = { cause: error };
  switch (error.code) {
    case 'TAG_UNKNOWN':
      return new OrchestratorError('TAG_NOT_FOUND', `tag ${pin.tag} does not exist in ${repository}`, facts, cause);
    case 'NOT_FOUND':
      return new OrchestratorError('REPOSITORY_NOT_FOUND', `repository ${repository} does not exist in its registry`, facts, cause);
    case 'MANIFEST_UNKNOWN':
      return new OrchestratorError('MANIFEST_NOT_FOUND', `${repository}@${pin.digest} does not exist`, facts, cause);
    case 'DIGEST_MISMATCH':
      return new OrchestratorError(
        'REGISTRY_DIGEST_MISMATCH',
        `the registry served content for ${repository} that does not hash to its digest: treat as tampering`,
        { ...facts, tamper: true, expected: error.details.expected, actual: error.details.actual },
        cause,
      );
    case 'UNAUTHORIZED':
    case 'DENIED':
    case 'INSECURE_TRANSPORT_REFUSED':
      return new OrchestratorError('REGISTRY_ACCESS_DENIED', `the registry refused access to ${repository}: ${error.message}`, facts, cause);
    case 'REGISTRY_UNAVAILABLE':
      return new OrchestratorError('REGISTRY_UNAVAILABLE', `the registry of ${repository} is unavailable: ${error.message}`, facts, cause);
    case 'INVALID_REFERENCE':
      return new OrchestratorError('INVALID_IMAGE_REFERENCE', error.message, facts, cause);
    case 'UNSUPPORTED_MEDIA_TYPE':
      return new OrchestratorError('IMAGE_UNSUPPORTED', error.message, facts, cause);
    default:
      return new OrchestratorError('REGISTRY_PROTOCOL_ERROR', `registry error for ${repository}: ${error.message}`, facts, cause);
  }
}
