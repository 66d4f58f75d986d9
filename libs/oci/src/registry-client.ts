import { Readable } from 'node:stream';
import { canonicalBytes } from '@stella/canonical';
import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import type { RegistryCredentials } from './credentials';
import { DigestVerifier, digestMismatch, digestOf, isDigest, parseDigest } from './digest';
import { OciError, type OciErrorCode } from './errors';
import {
  imageIndexSchema,
  imageManifestSchema,
  parsePlatform,
  platformMatches,
  formatPlatform,
  toPlatform,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './manifest';
import {
  MANIFEST_ACCEPT,
  isIndexMediaType,
  isManifestMediaType,
  type ManifestMediaType,
} from './media-types';
import { formatReference, parseReference, toReference, type ImageReference } from './reference';
import {
  RegistryHttp,
  discardBody,
  readBounded,
  readRegistryErrors,
  type Clock,
  type HttpFetch,
  type ScopeActions,
} from './registry-http';
import { TransportPolicy } from './transport-policy';

export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BLOB_READ_BYTES = 16 * 1024 * 1024;

const clientOptionsSchema = z.strictObject({
  credentials: z
    .record(
      z.string(),
      z.union([
        z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
        z.strictObject({ token: z.string().min(1) }),
      ]),
    )
    .optional(),
  insecureHosts: z.array(z.string().min(1)).optional(),
  useHttpForLoopback: z.boolean().optional(),
  ca: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  timeoutMs: z.number().int().positive().optional(),
  retries: z.number().int().min(0).max(10).optional(),
  retryBaseDelayMs: z.number().int().min(0).optional(),
  maxManifestBytes: z.number().int().positive().optional(),
  userAgent: z.string().min(1).optional(),
  fetch: z.custom<HttpFetch>((value) => typeof value === 'function').optional(),
  clock: z.custom<Clock>((value) => typeof (value as Clock | undefined)?.now === 'function').optional(),
  sleep: z.custom<(ms: number) => Promise<void>>((value) => typeof value === 'function').optional(),
});

export interface RegistryClientOptions {
  /** Per registry host (`docker.io`, `ghcr.io`, `127.0.0.1:5000`); see loadCredentials / readDockerConfig. */
  credentials?: RegistryCredentials;
  /** Hosts (`host` or `host:port`) allowed to use plain HTTP besides loopback. */
  insecureHosts?: string[];
  /** Reach loopback registries over plain HTTP (default true); false forces HTTPS there too. */
  useHttpForLoopback?: boolean;
  /** Extra trusted CA certificates (PEM) for HTTPS registries and token services. */
  ca?: string | string[];
  /** Connect, headers and idle-body timeout per request (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries on 5xx, 429 and network errors (default 3). */
  retries?: number;
  /** First retry delay, doubled each retry (default 200 ms). */
  retryBaseDelayMs?: number;
  /** Manifest size limit (default 4 MiB). */
  maxManifestBytes?: number;
  userAgent?: string;
  /** HTTP port; default undici fetch with an Agent carrying `ca` and the timeouts. */
  fetch?: HttpFetch;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

export interface PlatformManifest {
  platform: Platform;
  digest: string;
  mediaType: string;
  size: number;
}

export interface ResolvedImage {
  /** The reference that was resolved, with `digest` set to the resolved digest. */
  reference: ImageReference;
  /** Digest of what the tag points to (the index digest for a multi-arch image). */
  digest: string;
  mediaType: ManifestMediaType;
  size: number;
  /** For an index or manifest list: every platform-specific manifest it lists. */
  platforms?: PlatformManifest[];
  /** When a platform was asked for: the manifest that serves it. */
  platformManifest?: PlatformManifest;
}

interface FetchedManifestBase {
  reference: ImageReference;
  digest: string;
  mediaType: ManifestMediaType;
  size: number;
  /** Exact bytes served; they hash to `digest`. */
  bytes: Buffer;
}
export type FetchedManifest =
  | (FetchedManifestBase & { kind: 'image'; manifest: ImageManifest })
  | (FetchedManifestBase & { kind: 'index'; manifest: ImageIndex });

export interface BlobStream {
  digest: string;
  /** Size announced by the registry (Content-Length), when it sent one. */
  size: number | undefined;
  /** Emits the blob; ends only if the bytes hash to `digest`, otherwise errors with DIGEST_MISMATCH. */
  stream: Readable;
}

export interface BlobReadOptions {
  /** Size from the descriptor: a different length is a DIGEST_MISMATCH. */
  expectedSize?: number;
  /** Upper bound on bytes read (TOO_LARGE beyond it). */
  maxBytes?: number;
}

export interface PushedContent {
  digest: string;
  size: number;
}

const tagListSchema = z.looseObject({ name: z.string(), tags: z.array(z.string()).nullable().optional() });
const configPlatformSchema = z.looseObject({
  os: z.string().min(1),
  architecture: z.string().min(1),
  variant: z.string().min(1).optional(),
});
const MAX_TAG_PAGES = 10_000;
const blobReadOptionsSchema = z.strictObject({
  expectedSize: z.number().int().nonnegative().optional(),
  maxBytes: z.number().int().positive().optional(),
});
const listTagsOptionsSchema = z.strictObject({
  pageSize: z.number().int().positive().max(10_000).optional(),
});

function parseArgument<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new OciError(
      'INVALID_ARGUMENT',
      `invalid ${what}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
      {
        cause: parsed.error,
        details: { argument: what },
      },
    );
  }
  return parsed.data;
}

/** Repository-only argument: `host/ns/name` (a tag or digest in it is ignored) or a parsed reference. */
function toRepository(repository: string | ImageReference): ImageReference {
  return typeof repository === 'string' ? parseReference(repository) : toReference(repository);
}

function serializeManifest(manifest: unknown): Buffer {
  if (typeof manifest !== 'object' || manifest === null)
    throw new OciError('INVALID_ARGUMENT', 'manifest must be bytes or an object', {
      details: { source: 'input' },
    });
  try {
    return canonicalBytes(manifest);
  } catch (error) {
    throw new OciError('INVALID_ARGUMENT', 'manifest cannot be serialized as canonical JSON', {
      cause: error,
      details: { source: 'input' },
    });
  }
}

function stripParameters(contentType: string | null): string | undefined {
  const value = contentType?.split(';')[0]?.trim().toLowerCase();
  return value === undefined || value.length === 0 ? undefined : value;
}

/** Attestations are attached by tag where the registry lacks the referrers API: `sha256-<hex>.att`. */
export function attestationTag(digest: string, suffix = 'att'): string {
  const parsed = parseDigest(digest);
  if (!/^[a-z0-9]+$/.test(suffix))
    throw new OciError('INVALID_REFERENCE', `invalid tag suffix "${suffix}"`, { details: { suffix } });
  return `${parsed.algorithm}-${parsed.hex}.${suffix}`;
}

/**
 * OCI Distribution client: resolve, manifests, verified blobs, tags and monolithic push.
 * Every manifest and blob is checked against the digest it was addressed by.
 */
export class RegistryClient {
  private readonly http: RegistryHttp;
  private readonly agent: Agent | undefined;
  private readonly maxManifestBytes: number;

  constructor(options: RegistryClientOptions = {}) {
    const config = parseArgument(clientOptionsSchema, options, 'RegistryClient options');
    const timeoutMs = config.timeoutMs ?? 30_000;
    let fetchPort = config.fetch;
    if (!fetchPort) {
      const agent = new Agent({
        connect: { timeout: timeoutMs, ...(config.ca === undefined ? {} : { ca: config.ca }) },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      this.agent = agent;
      fetchPort = (url, init) =>
        undiciFetch(url, { ...init, dispatcher: agent }) as unknown as Promise<Response>;
    }
    this.maxManifestBytes = config.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    this.http = new RegistryHttp({
      fetch: fetchPort,
      policy: new TransportPolicy(config.insecureHosts ?? [], config.useHttpForLoopback ?? true),
      credentials: config.credentials ?? {},
      clock: config.clock ?? { now: () => Date.now() },
      sleep: config.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      retries: config.retries ?? 3,
      retryBaseDelayMs: config.retryBaseDelayMs ?? 200,
      userAgent: config.userAgent ?? 'stella-oci/0.1',
    });
  }

  /** Releases pooled connections. */
  async close(): Promise<void> {
    await this.agent?.close();
  }

  /**
   * Tag or digest to digest: HEAD for the digest, then GET of the manifest by that digest,
   * hashed and compared. For an index, every platform manifest is listed; with `platform`,
   * the matching one is returned as `platformManifest` (NOT_FOUND when there is none).
   */
  async resolve(
    reference: string | ImageReference,
    options: { platform?: string | Platform } = {},
  ): Promise<ResolvedImage> {
    const ref = toReference(reference);
    const wanted =
      options.platform === undefined
        ? undefined
        : typeof options.platform === 'string'
          ? parsePlatform(options.platform)
          : parsePlatform(formatPlatform(options.platform));

    let expectedDigest = ref.digest;
    if (expectedDigest === undefined) {
      const head = await this.manifestRequest(ref, 'HEAD', ref.tag as string);
      if (head.ok) {
        const announced = head.headers.get('docker-content-digest');
        if (announced !== null && isDigest(announced)) expectedDigest = announced;
      } else if (head.status !== 404) {
        throw await this.responseError(head, ref, 'manifest');
      }
      // A 404 HEAD has no body to tell an unknown tag from an unknown repository: the GET below says which.
    }
    const manifest = await this.fetchManifest(ref, expectedDigest);
    const resolved: ResolvedImage = {
      reference: { ...ref, digest: manifest.digest },
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.size,
    };

    if (manifest.kind === 'index') {
      resolved.platforms = manifest.manifest.manifests
        .filter((entry) => entry.platform !== undefined && entry.platform.os !== 'unknown')
        .map((entry) => ({
          platform: toPlatform(entry.platform as NonNullable<typeof entry.platform>),
          digest: entry.digest,
          mediaType: entry.mediaType,
          size: entry.size,
        }));
      if (wanted) {
        const match = resolved.platforms.find((entry) => platformMatches(entry.platform, wanted));
        if (!match) {
          throw new OciError(
            'NOT_FOUND',
            `${formatReference(ref)} has no manifest for ${formatPlatform(wanted)}`,
            {
              details: {
                reference: formatReference(ref),
                platform: formatPlatform(wanted),
                available: resolved.platforms.map((entry) => formatPlatform(entry.platform)),
              },
            },
          );
        }
        resolved.platformManifest = match;
      }
    } else if (wanted) {
      // A single-platform image states its platform only in its config blob.
      const config = await this.readBlob(ref, manifest.manifest.config.digest, {
        expectedSize: manifest.manifest.config.size,
        maxBytes: DEFAULT_MAX_BLOB_READ_BYTES,
      });
      const parsedConfig = configPlatformSchema.safeParse(JSON.parse(config.toString('utf8')));
      if (!parsedConfig.success)
        throw new OciError('PROTOCOL_ERROR', 'image config has no os/architecture', {
          details: { digest: manifest.manifest.config.digest },
        });
      const platform = toPlatform(parsedConfig.data);
      if (!platformMatches(platform, wanted)) {
        throw new OciError(
          'NOT_FOUND',
          `${formatReference(ref)} is ${formatPlatform(platform)}, not ${formatPlatform(wanted)}`,
          {
            details: {
              reference: formatReference(ref),
              platform: formatPlatform(wanted),
              available: [formatPlatform(platform)],
            },
          },
        );
      }
      resolved.platformManifest = {
        platform,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
        size: manifest.size,
      };
    }
    return resolved;
  }

  /** GET of a manifest by tag or digest (digest wins when both are given), verified and schema-checked. */
  async getManifest(reference: string | ImageReference): Promise<FetchedManifest> {
    const ref = toReference(reference);
    return this.fetchManifest(ref, ref.digest);
  }

  /** Streams a blob; the stream fails with DIGEST_MISMATCH (tamper) instead of ending if the bytes do not hash to `digest`. */
  async getBlob(
    repository: string | ImageReference,
    digest: string,
    options: BlobReadOptions = {},
  ): Promise<BlobStream> {
    const ref = toRepository(repository);
    parseDigest(digest);
    const limits = parseArgument(blobReadOptionsSchema, options, 'blob read options');
    const details = { registry: ref.registry, repository: ref.repository, digest };
    const response = await this.http.call({
      method: 'GET',
      registry: ref.registry,
      repository: ref.repository,
      actions: 'pull',
      url: `/v2/${ref.repository}/blobs/${digest}`,
    });
    if (response.status !== 200) throw await this.responseError(response, ref, 'blob', digest);

    const announced = response.headers.get('content-length');
    const size = announced === null ? undefined : Number(announced);
    if (limits.expectedSize !== undefined && size !== undefined && size !== limits.expectedSize) {
      await discardBody(response);
      throw new OciError(
        'DIGEST_MISMATCH',
        `blob ${digest} is ${size} bytes, descriptor says ${limits.expectedSize}`,
        {
          tamper: true,
          details: { ...details, expectedSize: limits.expectedSize, actualSize: size },
        },
      );
    }
    if (limits.maxBytes !== undefined && size !== undefined && size > limits.maxBytes) {
      await discardBody(response);
      throw new OciError('TOO_LARGE', `blob ${digest} is ${size} bytes, limit ${limits.maxBytes}`, {
        details: { ...details, size, limit: limits.maxBytes },
      });
    }
    const body = response.body;
    const verifier = new DigestVerifier(digest);
    async function* verified(): AsyncGenerator<Buffer> {
      if (body) {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          verifier.update(chunk);
          if (limits.expectedSize !== undefined && verifier.bytes > limits.expectedSize) {
            throw new OciError(
              'DIGEST_MISMATCH',
              `blob ${digest} is longer than the ${limits.expectedSize} bytes its descriptor says`,
              { tamper: true, details },
            );
          }
          if (limits.maxBytes !== undefined && verifier.bytes > limits.maxBytes) {
            throw new OciError('TOO_LARGE', `blob ${digest} exceeds ${limits.maxBytes} bytes`, {
              details: { ...details, limit: limits.maxBytes },
            });
          }
          yield Buffer.from(chunk);
        }
      }
      verifier.verify(details);
    }
    return { digest, size, stream: Readable.from(verified(), { objectMode: false }) };
  }

  /** Reads a small blob (config, attestation) into memory, verified; default limit 16 MiB. */
  async readBlob(
    repository: string | ImageReference,
    digest: string,
    options: BlobReadOptions = {},
  ): Promise<Buffer> {
    const { stream } = await this.getBlob(repository, digest, {
      ...options,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BLOB_READ_BYTES,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Size of a blob if the repository has it, `null` if not. */
  async headBlob(repository: string | ImageReference, digest: string): Promise<PushedContent | null> {
    const ref = toRepository(repository);
    parseDigest(digest);
    return this.blobExists(ref, digest, 'pull');
  }

  /** All tags of a repository, following `Link: <…>; rel="next"` pagination. */
  async listTags(
    repository: string | ImageReference,
    options: { pageSize?: number } = {},
  ): Promise<string[]> {
    const ref = toRepository(repository);
    const { pageSize } = parseArgument(listTagsOptionsSchema, options, 'listTags options');
    const tags: string[] = [];
    let url: string | undefined =
      `/v2/${ref.repository}/tags/list${pageSize === undefined ? '' : `?n=${pageSize}`}`;
    for (let page = 0; url !== undefined; page += 1) {
      if (page >= MAX_TAG_PAGES)
        throw new OciError(
          'PROTOCOL_ERROR',
          `tag list of ${ref.repository} did not end after ${MAX_TAG_PAGES} pages`,
          { details: { repository: ref.repository } },
        );
      const response: Response = await this.http.call({
        method: 'GET',
        registry: ref.registry,
        repository: ref.repository,
        actions: 'pull',
        url,
      });
      if (response.status !== 200) throw await this.responseError(response, ref, 'tags');
      const body = tagListSchema.safeParse(
        JSON.parse(
          (await readBounded(response, this.maxManifestBytes, { repository: ref.repository })).toString(
            'utf8',
          ),
        ),
      );
      if (!body.success)
        throw new OciError('PROTOCOL_ERROR', `invalid tag list for ${ref.repository}`, {
          cause: body.error,
          details: { repository: ref.repository },
        });
      tags.push(...(body.data.tags ?? []));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(response.headers.get('link') ?? '');
      url = next?.[1] === undefined ? undefined : this.http.resolveUrl(ref.registry, next[1], undefined);
    }
    return tags;
  }

  /** Monolithic upload (POST then PUT with the digest); skipped when the blob already exists. */
  async pushBlob(repository: string | ImageReference, data: Uint8Array): Promise<PushedContent> {
    const ref = toRepository(repository);
    if (!(data instanceof Uint8Array))
      throw new OciError('INVALID_ARGUMENT', 'blob data must be a Uint8Array', {
        details: { source: 'input' },
      });
    const digest = digestOf(data);
    const existing = await this.blobExists(ref, digest, 'pull,push');
    if (existing) return existing;

    const start = await this.http.call({
      method: 'POST',
      registry: ref.registry,
      repository: ref.repository,
      actions: 'pull,push',
      url: `/v2/${ref.repository}/blobs/uploads/`,
      headers: { 'content-length': '0' },
    });
    if (start.status !== 202) throw await this.responseError(start, ref, 'upload', digest);
    await discardBody(start);
    const location = start.headers.get('location');
    if (!location)
      throw new OciError('PROTOCOL_ERROR', 'upload start answered without Location', {
        details: { repository: ref.repository },
      });
    const uploadUrl = new URL(this.http.resolveUrl(ref.registry, location));
    uploadUrl.searchParams.set('digest', digest);
    const put = await this.http.call({
      method: 'PUT',
      registry: ref.registry,
      repository: ref.repository,
      actions: 'pull,push',
      url: uploadUrl.toString(),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.byteLength) },
      body: data,
    });
    if (put.status !== 201) throw await this.responseError(put, ref, 'upload', digest);
    await discardBody(put);
    const stored = put.headers.get('docker-content-digest');
    if (stored !== null && stored !== digest)
      throw digestMismatch(digest, stored, { repository: ref.repository, operation: 'pushBlob' });
    return { digest, size: data.byteLength };
  }

  /**
   * PUT of a manifest under the reference's tag (or digest). Bytes are sent exactly as given
   * (re-pushing fetched bytes keeps their digest); an object is serialized as RFC 8785
   * canonical JSON, so the same manifest always gets the same digest.
   */
  async pushManifest(
    reference: string | ImageReference,
    manifest: Uint8Array | ImageManifest | ImageIndex,
    mediaType: ManifestMediaType,
  ): Promise<PushedContent & { mediaType: ManifestMediaType }> {
    const ref = toReference(reference);
    if (!isManifestMediaType(mediaType))
      throw new OciError(
        'UNSUPPORTED_MEDIA_TYPE',
        `cannot push manifest of media type ${String(mediaType)}`,
        { details: { mediaType } },
      );
    const bytes = manifest instanceof Uint8Array ? manifest : serializeManifest(manifest);
    if (bytes.byteLength > this.maxManifestBytes)
      throw new OciError(
        'TOO_LARGE',
        `manifest of ${bytes.byteLength} bytes exceeds ${this.maxManifestBytes}`,
        { details: { size: bytes.byteLength, limit: this.maxManifestBytes } },
      );
    try {
      this.parseManifestBody(Buffer.from(bytes), mediaType, { reference: formatReference(ref) });
    } catch (error) {
      if (error instanceof OciError && error.code === 'PROTOCOL_ERROR') {
        throw new OciError('INVALID_ARGUMENT', `refusing to push: ${error.message}`, {
          cause: error.cause,
          details: error.details,
        });
      }
      throw error;
    }
    const digest = digestOf(bytes, ref.digest === undefined ? 'sha256' : parseDigest(ref.digest).algorithm);
    if (ref.digest !== undefined && ref.digest !== digest) {
      throw new OciError('DIGEST_MISMATCH', `manifest hashes to ${digest}, reference names ${ref.digest}`, {
        details: { expected: ref.digest, actual: digest },
      });
    }
    const target = ref.tag ?? digest;
    const response = await this.http.call({
      method: 'PUT',
      registry: ref.registry,
      repository: ref.repository,
      actions: 'pull,push',
      url: `/v2/${ref.repository}/manifests/${target}`,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.byteLength) },
      body: bytes,
    });
    if (response.status !== 201) throw await this.responseError(response, ref, 'manifest-push', digest);
    await discardBody(response);
    const stored = response.headers.get('docker-content-digest');
    if (stored !== null && stored !== digest)
      throw digestMismatch(digest, stored, { repository: ref.repository, operation: 'pushManifest' });
    return { digest, size: bytes.byteLength, mediaType };
  }

  private async blobExists(
    ref: ImageReference,
    digest: string,
    actions: ScopeActions,
  ): Promise<PushedContent | null> {
    const response = await this.http.call({
      method: 'HEAD',
      registry: ref.registry,
      repository: ref.repository,
      actions,
      url: `/v2/${ref.repository}/blobs/${digest}`,
    });
    await discardBody(response);
    if (response.status === 404) return null;
    if (response.status !== 200) throw await this.responseError(response, ref, 'blob', digest);
    const stored = response.headers.get('docker-content-digest');
    if (stored !== null && stored !== digest)
      throw digestMismatch(digest, stored, { repository: ref.repository, operation: 'headBlob' });
    const size = Number(response.headers.get('content-length'));
    if (!Number.isSafeInteger(size) || size < 0)
      throw new OciError('PROTOCOL_ERROR', `blob HEAD for ${digest} has no valid Content-Length`, {
        details: { digest },
      });
    return { digest, size };
  }

  private manifestRequest(ref: ImageReference, method: 'GET' | 'HEAD', target: string): Promise<Response> {
    return this.http.call({
      method,
      registry: ref.registry,
      repository: ref.repository,
      actions: 'pull',
      url: `/v2/${ref.repository}/manifests/${target}`,
      headers: { accept: MANIFEST_ACCEPT },
    });
  }

  private async fetchManifest(
    ref: ImageReference,
    expectedDigest: string | undefined,
  ): Promise<FetchedManifest> {
    const target = expectedDigest ?? ref.tag;
    if (target === undefined)
      throw new OciError('INVALID_REFERENCE', 'reference has neither tag nor digest', {
        details: { reference: formatReference(ref) },
      });
    const response = await this.manifestRequest(ref, 'GET', target);
    if (response.status !== 200) {
      const error = await this.responseError(
        response,
        expectedDigest === undefined ? ref : { ...ref, digest: expectedDigest },
        'manifest',
      );
      throw await this.distinguishUnknownRepository(ref, error);
    }
    const details = { reference: formatReference(ref), target };
    const bytes = await readBounded(response, this.maxManifestBytes, details);

    const announced = response.headers.get('docker-content-digest');
    const expected = expectedDigest ?? (announced !== null && isDigest(announced) ? announced : undefined);
    const digest = digestOf(bytes, expected === undefined ? 'sha256' : parseDigest(expected).algorithm);
    if (expected !== undefined && digest !== expected) throw digestMismatch(expected, digest, details);

    const contentType = stripParameters(response.headers.get('content-type'));
    const parsed = this.parseManifestBody(bytes, contentType, details);
    return { ...parsed, reference: { ...ref, digest }, digest, size: bytes.byteLength, bytes };
  }

  /**
   * Registry 2.8 answers MANIFEST_UNKNOWN, not NAME_UNKNOWN, for a manifest of a repository that
   * does not exist; its tag list does say NAME_UNKNOWN, so ask it before reporting a missing tag.
   */
  private async distinguishUnknownRepository(ref: ImageReference, error: OciError): Promise<OciError> {
    if (error.code !== 'TAG_UNKNOWN' && error.code !== 'MANIFEST_UNKNOWN') return error;
    let probe: Response;
    try {
      probe = await this.http.call({
        method: 'GET',
        registry: ref.registry,
        repository: ref.repository,
        actions: 'pull',
        url: `/v2/${ref.repository}/tags/list?n=1`,
      });
    } catch {
      return error;
    }
    if (probe.status !== 404) {
      await discardBody(probe);
      return error;
    }
    const repositoryError = await this.responseError(probe, ref, 'tags');
    return repositoryError.code === 'NOT_FOUND' ? repositoryError : error;
  }

  private parseManifestBody(
    bytes: Buffer,
    contentType: string | undefined,
    details: Record<string, unknown>,
  ):
    | { kind: 'image'; mediaType: ManifestMediaType; manifest: ImageManifest }
    | { kind: 'index'; mediaType: ManifestMediaType; manifest: ImageIndex } {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new OciError('PROTOCOL_ERROR', 'manifest is not valid JSON', { cause: error, details });
    }
    const declared =
      typeof json === 'object' &&
      json !== null &&
      typeof (json as { mediaType?: unknown }).mediaType === 'string'
        ? (json as { mediaType: string }).mediaType
        : undefined;
    // Registries may label manifests application/json; the body's own mediaType is then what counts.
    const fromHeader =
      contentType === undefined || contentType === 'application/json' ? undefined : contentType;
    if (fromHeader !== undefined && declared !== undefined && fromHeader !== declared) {
      throw new OciError('PROTOCOL_ERROR', `manifest served as ${fromHeader} declares ${declared}`, {
        details: { ...details, contentType: fromHeader, declared },
      });
    }
    const mediaType = fromHeader ?? declared;
    if (mediaType === undefined || !isManifestMediaType(mediaType)) {
      throw new OciError(
        'UNSUPPORTED_MEDIA_TYPE',
        `unsupported manifest media type ${mediaType ?? '(none)'}`,
        { details: { ...details, mediaType } },
      );
    }
    if (isIndexMediaType(mediaType)) {
      const index = imageIndexSchema.safeParse(json);
      if (!index.success)
        throw new OciError('PROTOCOL_ERROR', `invalid ${mediaType}`, { cause: index.error, details });
      return { kind: 'index', mediaType, manifest: index.data };
    }
    const manifest = imageManifestSchema.safeParse(json);
    if (!manifest.success)
      throw new OciError('PROTOCOL_ERROR', `invalid ${mediaType}`, { cause: manifest.error, details });
    return { kind: 'image', mediaType, manifest: manifest.data };
  }

  /** Maps a non-success registry answer to the error union, keeping the registry's error body. */
  private async responseError(
    response: Response,
    ref: ImageReference,
    subject: 'manifest' | 'blob' | 'tags' | 'upload' | 'manifest-push',
    digest?: string,
  ): Promise<OciError> {
    const registryErrors =
      response.status === 404 || response.status >= 400 ? await readRegistryErrors(response) : [];
    const codes = new Set(registryErrors.map((entry) => entry.code));
    const name = `${ref.registry}/${ref.repository}`;
    const details: Record<string, unknown> = { registry: ref.registry, repository: ref.repository };
    if (ref.tag !== undefined && ref.digest === undefined) details.tag = ref.tag;
    if (digest ?? ref.digest) details.digest = digest ?? ref.digest;
    const make = (code: OciErrorCode, message: string): OciError =>
      new OciError(code, message, { status: response.status, registryErrors, details });

    if (codes.has('NAME_UNKNOWN')) return make('NOT_FOUND', `repository ${name} not found`);
    if (codes.has('DIGEST_INVALID'))
      return make('DIGEST_MISMATCH', `registry refused ${digest ?? ''}: content does not match its digest`);
    if (response.status === 404 || codes.has('MANIFEST_UNKNOWN') || codes.has('BLOB_UNKNOWN')) {
      if (subject === 'manifest') {
        if (ref.digest === undefined) return make('TAG_UNKNOWN', `tag ${ref.tag ?? ''} not found in ${name}`);
        return make('MANIFEST_UNKNOWN', `manifest ${ref.digest} not found in ${name}`);
      }
      if (subject === 'blob') return make('NOT_FOUND', `blob ${digest ?? ''} not found in ${name}`);
      return make('NOT_FOUND', `${name} not found`);
    }
    if (response.status === 413) return make('TOO_LARGE', `registry refused ${subject}: too large`);
    if (
      response.status === 415 ||
      (codes.has('MANIFEST_INVALID') &&
        subject === 'manifest-push' &&
        registryErrors.some((entry) => /media ?type/i.test(entry.message)))
    ) {
      return make('UNSUPPORTED_MEDIA_TYPE', `registry refused the media type of ${subject}`);
    }
    if (codes.has('MANIFEST_BLOB_UNKNOWN'))
      return make('NOT_FOUND', `manifest refers to blobs missing from ${name}`);
    return make(
      'PROTOCOL_ERROR',
      `unexpected ${response.status} from ${ref.registry} for ${subject}${registryErrors[0] ? `: ${registryErrors[0].code} ${registryErrors[0].message}` : ''}`,
    );
  }
}
