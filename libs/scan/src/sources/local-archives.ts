import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Platform } from '@stella/oci';
import { formatPlatform, platformMatches } from './platform';
import { sha256Digest } from '@stella/canonical';
import { ScanError } from '../errors';
import type { ScanLimits } from '../limits';
import {
  DEFAULT_PLATFORM,
  imageSchemas,
  isImageConfig,
  isManifestOrIndex,
  type ImageConfig,
  type ImageSource,
  type LayerRef,
  type ManifestOrIndex,
  type OpenedImage,
  type SourceDescriptor,
} from './image-source';
import { indexTar, openMember, type TarMember } from './tar-index';
import type { z } from 'zod';
import { arrayOf, isString, nullable, object, optional, type Guard } from '../validation/guards';
import { lazySchema, prettifyError, safeParseChecked } from '../validation/lazy-zod';

/** Read access to the files of an OCI layout or docker archive, as a directory or inside a tar. */
interface ArchiveFiles {
  read(path: string, maxBytes: number): Promise<Buffer | undefined>;
  open(path: string): Promise<Readable>;
}

class DirectoryFiles implements ArchiveFiles {
  constructor(private readonly root: string) {}
  private resolve(path: string): string {
    if (path.split('/').includes('..') || path.startsWith('/'))
      throw new ScanError('INVALID_SOURCE', `unsafe path in image layout: ${path}`);
    return join(this.root, path);
  }
  async read(path: string, maxBytes: number): Promise<Buffer | undefined> {
    const full = this.resolve(path);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    if (info.size > maxBytes)
      throw new ScanError('TOO_LARGE', `${path} is larger than ${maxBytes} bytes`, { path });
    return readFile(full);
  }
  async open(path: string): Promise<Readable> {
    const full = this.resolve(path);
    const info = await stat(full).catch(() => undefined);
    if (!info?.isFile())
      throw new ScanError('INVALID_SOURCE', `missing blob ${path} in ${this.root}`, { path });
    return createReadStream(full, { highWaterMark: 1 << 20 });
  }
}

class TarFiles implements ArchiveFiles {
  private constructor(
    private readonly archive: string,
    private readonly members: Map<string, TarMember>,
  ) {}
  static async open(archive: string): Promise<TarFiles> {
    return new TarFiles(archive, await indexTar(archive));
  }
  async read(path: string, maxBytes: number): Promise<Buffer | undefined> {
    const member = this.members.get(path);
    if (!member) return undefined;
    if (member.size > maxBytes)
      throw new ScanError('TOO_LARGE', `${path} is larger than ${maxBytes} bytes`, { path });
    const chunks: Buffer[] = [];
    for await (const chunk of openMember(this.archive, member)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  async open(path: string): Promise<Readable> {
    const member = this.members.get(path);
    if (!member) throw new ScanError('INVALID_SOURCE', `missing blob ${path} in ${this.archive}`, { path });
    return openMember(this.archive, member);
  }
}

function blobPath(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return `blobs/${algorithm}/${hex}`;
}

async function readVerifiedBlob(files: ArchiveFiles, digest: string, maxBytes: number): Promise<Buffer> {
  const bytes = await files.read(blobPath(digest), maxBytes);
  if (!bytes)
    throw new ScanError('INVALID_SOURCE', `blob ${digest} is missing from the image layout`, { digest });
  if (digest.startsWith('sha256:') && sha256Digest(bytes) !== digest)
    throw new ScanError('DIGEST_MISMATCH', `blob does not hash to ${digest}`, {
      expected: digest,
      actual: sha256Digest(bytes),
    });
  return bytes;
}

/** JSON validated by `schema`; `accept` answers for valid documents without loading zod (see safeParseChecked). */
function parseJson<T>(bytes: Buffer, accept: Guard, schema: () => z.ZodType<T>, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ScanError('INVALID_SOURCE', `${what} is not JSON`, {}, { cause: error });
  }
  const parsed = safeParseChecked(value, accept, schema);
  if (!parsed.success)
    throw new ScanError('INVALID_SOURCE', `${what} is malformed: ${prettifyError(parsed.error)}`);
  return parsed.data;
}

function configPlatform(config: ImageConfig): Platform {
  const platform: Platform = { os: config.os ?? 'linux', architecture: config.architecture ?? 'amd64' };
  if (config.variant) platform.variant = config.variant;
  return platform;
}

function layerRefs(
  config: ImageConfig,
  layers: { digest: string; size?: number; mediaType?: string }[],
): LayerRef[] {
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== layers.length)
    throw new ScanError(
      'INVALID_SOURCE',
      `image config lists ${diffIds.length} diff ids for ${layers.length} layers`,
    );
  return layers.map((layer, i) => ({ ...layer, diffId: diffIds[i]! }));
}

function isIndex(doc: ManifestOrIndex): boolean {
  return Array.isArray(doc.manifests) && !doc.config;
}

/** OCI image layout (`oci:<dir>`) or the same inside a tar (`oci-archive:<file>`). */
export class OciLayoutSource implements ImageSource {
  readonly description: string;
  constructor(
    private readonly location: string,
    private readonly kind: 'directory' | 'archive',
    /** Tag (`org.opencontainers.image.ref.name`) or digest selecting one of several images. */
    private readonly selector?: string,
  ) {
    this.description = `${kind === 'directory' ? 'oci' : 'oci-archive'}:${location}${selector ? `:${selector}` : ''}`;
  }

  async open(platform: Platform | undefined, limits: ScanLimits): Promise<OpenedImage> {
    const files =
      this.kind === 'directory' ? new DirectoryFiles(this.location) : await TarFiles.open(this.location);
    const indexBytes = await files.read('index.json', limits.maxManifestBytes);
    if (!indexBytes)
      throw new ScanError('INVALID_SOURCE', `${this.description} has no index.json: not an OCI image layout`);
    const top = parseJson(indexBytes, isManifestOrIndex, manifestOrIndexSchema, 'index.json');
    let candidates = top.manifests ?? [];
    if (this.selector) {
      candidates = candidates.filter(
        (d) =>
          d.digest === this.selector ||
          d.annotations?.['org.opencontainers.image.ref.name'] === this.selector,
      );
      if (candidates.length === 0)
        throw new ScanError('SOURCE_NOT_FOUND', `no image ${this.selector} in ${this.location}`, {
          selector: this.selector,
        });
    }
    const name =
      candidates.length === 1 ? candidates[0]?.annotations?.['org.opencontainers.image.ref.name'] : undefined;
    const { descriptor, indexDigest } = await this.select(files, candidates, platform, limits);
    const manifestBytes = await readVerifiedBlob(files, descriptor.digest, limits.maxManifestBytes);
    const manifest = parseJson(
      manifestBytes,
      isManifestOrIndex,
      manifestOrIndexSchema,
      `manifest ${descriptor.digest}`,
    );
    if (!manifest.config || !manifest.layers)
      throw new ScanError('UNSUPPORTED_MEDIA_TYPE', `${descriptor.digest} is not an image manifest`);
    const configBytes = await readVerifiedBlob(files, manifest.config.digest, limits.maxManifestBytes);
    const config = parseJson(configBytes, isImageConfig, imageConfigSchema, 'image config');
    if (platform && !platformMatches(configPlatform(config), platform) && !indexDigest)
      throw new ScanError(
        'PLATFORM_NOT_FOUND',
        `image is ${formatPlatform(configPlatform(config))}, not ${formatPlatform(platform)}`,
      );
    const opened: OpenedImage = {
      manifestDigest: descriptor.digest,
      configDigest: manifest.config.digest,
      config,
      layers: layerRefs(
        config,
        manifest.layers.map((l) => ({
          digest: l.digest,
          size: l.size,
          ...(l.mediaType ? { mediaType: l.mediaType } : {}),
        })),
      ),
      openLayer: async (layer) => ({ stream: await files.open(blobPath(layer.digest)), verified: false }),
      close: async () => undefined,
    };
    if (name) opened.name = name;
    if (indexDigest) opened.indexDigest = indexDigest;
    return opened;
  }

  private async select(
    files: ArchiveFiles,
    candidates: SourceDescriptor[],
    platform: Platform | undefined,
    limits: ScanLimits,
    depth = 0,
  ): Promise<{ descriptor: SourceDescriptor; indexDigest?: string }> {
    if (candidates.length === 0)
      throw new ScanError('INVALID_SOURCE', `${this.description} contains no image`);
    const wanted = platform ?? DEFAULT_PLATFORM;
    let chosen: SourceDescriptor | undefined;
    if (candidates.length === 1) chosen = candidates[0];
    else {
      const withPlatform = candidates.filter((d) => d.platform && d.platform.os !== 'unknown');
      chosen = withPlatform.find((d) => platformMatches(d.platform!, wanted));
      if (!chosen)
        throw new ScanError(
          withPlatform.length ? 'PLATFORM_NOT_FOUND' : 'INVALID_ARGUMENT',
          withPlatform.length
            ? `no ${formatPlatform(wanted)} image in ${this.description}`
            : `${this.description} holds ${candidates.length} images: name one with :<tag>`,
          {
            available: candidates.map(
              (d) =>
                d.annotations?.['org.opencontainers.image.ref.name'] ??
                (d.platform ? formatPlatform(d.platform as Platform) : d.digest),
            ),
          },
        );
    }
    const bytes = await readVerifiedBlob(files, chosen!.digest, limits.maxManifestBytes);
    const doc = parseJson(bytes, isManifestOrIndex, manifestOrIndexSchema, `manifest ${chosen!.digest}`);
    if (!isIndex(doc)) return { descriptor: chosen! };
    if (depth > 2) throw new ScanError('INVALID_SOURCE', 'image indexes nested too deeply');
    const inner = (doc.manifests ?? []).filter((d) => !d.platform || d.platform.os !== 'unknown');
    const withPlatform = inner.filter((d) => d.platform);
    const match = withPlatform.find((d) => platformMatches(d.platform as Platform, wanted));
    if (!match)
      throw new ScanError(
        'PLATFORM_NOT_FOUND',
        `no ${formatPlatform(wanted)} image in index ${chosen!.digest}`,
        {
          available: withPlatform.map((d) => formatPlatform(d.platform as Platform)),
        },
      );
    return { descriptor: match, indexDigest: chosen!.digest };
  }
}

const manifestOrIndexSchema = () => imageSchemas().manifestOrIndexSchema;
const imageConfigSchema = () => imageSchemas().imageConfigSchema;
export const dockerManifestSchema = lazySchema((z) =>
  z.array(
    z
      .object({
        Config: z.string(),
        RepoTags: z.array(z.string()).nullable().optional(),
        Layers: z.array(z.string()),
      })
      .loose(),
  ),
);
/** Accepts only what `dockerManifestSchema()` accepts (it may refuse more). */
export const isDockerManifest: Guard = arrayOf(
  object(
    { Config: isString, RepoTags: optional(nullable(arrayOf(isString))), Layers: arrayOf(isString) },
    'loose',
  ),
);

/**
 * `docker save` / `skopeo copy docker-archive:` tarballs: `manifest.json` names the config and
 * the layer tars. Layers are addressed by their diff id (there is no registry blob digest), which
 * the scanner verifies while reading them.
 */
export class DockerArchiveSource implements ImageSource {
  readonly description: string;
  constructor(
    private readonly archive: string,
    private readonly selector?: string,
  ) {
    this.description = `docker-archive:${archive}${selector ? `:${selector}` : ''}`;
  }

  async open(platform: Platform | undefined, limits: ScanLimits): Promise<OpenedImage> {
    const info = await stat(this.archive).catch(() => undefined);
    const files = info?.isDirectory() ? new DirectoryFiles(this.archive) : await TarFiles.open(this.archive);
    const manifestBytes = await files.read('manifest.json', limits.maxManifestBytes);
    if (!manifestBytes)
      throw new ScanError('INVALID_SOURCE', `${this.description} has no manifest.json: not a docker archive`);
    let entries = parseJson(manifestBytes, isDockerManifest, dockerManifestSchema, 'manifest.json');
    if (this.selector) entries = entries.filter((e) => e.RepoTags?.includes(this.selector!));
    if (entries.length !== 1)
      throw new ScanError(
        entries.length ? 'INVALID_ARGUMENT' : 'SOURCE_NOT_FOUND',
        entries.length
          ? `${this.description} holds ${entries.length} images: name one with :<repo:tag>`
          : `no image ${this.selector} in ${this.archive}`,
        {
          available: entries.flatMap((e) => e.RepoTags ?? []),
        },
      );
    const entry = entries[0]!;
    const configBytes = await files.read(entry.Config, limits.maxManifestBytes);
    if (!configBytes)
      throw new ScanError('INVALID_SOURCE', `config ${entry.Config} missing from ${this.archive}`);
    const configDigest = sha256Digest(configBytes);
    const config = parseJson(configBytes, isImageConfig, imageConfigSchema, 'image config');
    if (platform && !platformMatches(configPlatform(config), platform))
      throw new ScanError(
        'PLATFORM_NOT_FOUND',
        `image is ${formatPlatform(configPlatform(config))}, not ${formatPlatform(platform)}`,
      );
    const diffIds = config.rootfs.diff_ids;
    const layerPaths = new Map<string, string>();
    const layers = layerRefs(
      config,
      entry.Layers.map((path, i) => {
        layerPaths.set(diffIds[i] ?? path, path);
        return { digest: diffIds[i] ?? path };
      }),
    );
    const opened: OpenedImage = {
      configDigest,
      config,
      layers,
      openLayer: async (layer) => ({
        stream: await files.open(layerPaths.get(layer.diffId) ?? ''),
        verified: false,
      }),
      close: async () => undefined,
    };
    const name = entry.RepoTags?.[0];
    if (name) opened.name = name;
    return opened;
  }
}
