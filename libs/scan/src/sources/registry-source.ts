import {
  RegistryClient,
  isOciError,
  parseReference,
  type ImageReference,
  type Platform,
  type RegistryClientOptions,
} from '@stella/oci';
import { formatPlatform, platformMatches } from './platform';
import { ScanError } from '../errors';
import type { ScanLimits } from '../limits';
import {
  DEFAULT_PLATFORM,
  imageSchemas,
  isImageConfig,
  type ImageSource,
  type OpenedImage,
} from './image-source';
import { prettifyError, safeParseChecked } from '../validation/lazy-zod';

/** An image in a registry, by tag or digest, read through @stella/oci (every byte digest-verified). */
export class RegistrySource implements ImageSource {
  readonly description: string;
  private readonly reference: ImageReference;
  private readonly client: RegistryClient;
  private readonly ownsClient: boolean;

  constructor(reference: string, client?: RegistryClient | RegistryClientOptions) {
    try {
      this.reference = parseReference(reference);
    } catch (error) {
      throw new ScanError(
        'INVALID_SOURCE',
        `not an image reference: ${reference}`,
        { reference },
        { cause: error },
      );
    }
    this.description = reference;
    this.ownsClient = !(client instanceof RegistryClient);
    this.client = client instanceof RegistryClient ? client : new RegistryClient(client ?? {});
  }

  async open(platform: Platform | undefined, limits: ScanLimits): Promise<OpenedImage> {
    try {
      return await this.openUnmapped(platform, limits);
    } catch (error) {
      throw mapOciError(error);
    }
  }

  private async openUnmapped(platform: Platform | undefined, limits: ScanLimits): Promise<OpenedImage> {
    const resolved = await this.client.resolve(this.reference);
    let manifestDigest = resolved.digest;
    let indexDigest: string | undefined;
    if (resolved.platforms) {
      const wanted = platform ?? DEFAULT_PLATFORM;
      const match = resolved.platforms.find((p) => platformMatches(p.platform, wanted));
      if (!match)
        throw new ScanError(
          'PLATFORM_NOT_FOUND',
          `no ${formatPlatform(wanted)} image in ${this.description}`,
          {
            available: resolved.platforms.map((p) => formatPlatform(p.platform)),
          },
        );
      manifestDigest = match.digest;
      indexDigest = resolved.digest;
    }
    const repository = resolved.reference;
    const fetched = await this.client.getManifest({ ...repository, digest: manifestDigest });
    if (fetched.kind !== 'image')
      throw new ScanError('UNSUPPORTED_MEDIA_TYPE', `${manifestDigest} is an index inside an index`);
    const manifest = fetched.manifest;
    const configBytes = await this.client.readBlob(repository, manifest.config.digest, {
      maxBytes: limits.maxManifestBytes,
      expectedSize: manifest.config.size,
    });
    let json: unknown;
    try {
      json = JSON.parse(configBytes.toString('utf8'));
    } catch (error) {
      throw new ScanError('INVALID_SOURCE', 'image config is not JSON', {}, { cause: error });
    }
    const parsed = safeParseChecked(json, isImageConfig, () => imageSchemas().imageConfigSchema);
    if (!parsed.success)
      throw new ScanError('INVALID_SOURCE', `image config is malformed: ${prettifyError(parsed.error)}`);
    const config = parsed.data;
    if (!indexDigest && platform) {
      const actual: Platform = {
        os: config.os ?? 'linux',
        architecture: config.architecture ?? 'amd64',
        ...(config.variant ? { variant: config.variant } : {}),
      };
      if (!platformMatches(actual, platform))
        throw new ScanError(
          'PLATFORM_NOT_FOUND',
          `image is ${formatPlatform(actual)}, not ${formatPlatform(platform)}`,
        );
    }
    if (config.rootfs.diff_ids.length !== manifest.layers.length)
      throw new ScanError(
        'INVALID_SOURCE',
        `image config lists ${config.rootfs.diff_ids.length} diff ids for ${manifest.layers.length} layers`,
      );
    const opened: OpenedImage = {
      name: `${repository.registry}/${repository.repository}${this.reference.tag ? `:${this.reference.tag}` : ''}`,
      manifestDigest,
      configDigest: manifest.config.digest,
      config,
      layers: manifest.layers.map((layer, i) => ({
        digest: layer.digest,
        diffId: config.rootfs.diff_ids[i]!,
        size: layer.size,
        mediaType: layer.mediaType,
      })),
      openLayer: async (layer) => {
        try {
          const blob = await this.client.getBlob(
            repository,
            layer.digest,
            layer.size !== undefined ? { expectedSize: layer.size } : {},
          );
          return { stream: blob.stream, verified: true };
        } catch (error) {
          throw mapOciError(error);
        }
      },
      close: async () => {
        if (this.ownsClient) await this.client.close();
      },
    };
    if (indexDigest) opened.indexDigest = indexDigest;
    return opened;
  }
}

function mapOciError(error: unknown): unknown {
  if (!isOciError(error)) return error;
  const details = { ...error.details, registryCode: error.code };
  switch (error.code) {
    case 'NOT_FOUND':
    case 'TAG_UNKNOWN':
    case 'MANIFEST_UNKNOWN':
      return new ScanError('SOURCE_NOT_FOUND', error.message, details, { cause: error });
    case 'DIGEST_MISMATCH':
      return new ScanError('DIGEST_MISMATCH', error.message, details, { cause: error });
    case 'INVALID_REFERENCE':
      return new ScanError('INVALID_SOURCE', error.message, details, { cause: error });
    case 'UNSUPPORTED_MEDIA_TYPE':
      return new ScanError('UNSUPPORTED_MEDIA_TYPE', error.message, details, { cause: error });
    case 'TOO_LARGE':
      return new ScanError('TOO_LARGE', error.message, details, { cause: error });
    default:
      return new ScanError('REGISTRY_ERROR', error.message, details, { cause: error });
  }
}
