export { OciError, isOciError, type OciErrorCode, type RegistryErrorEntry } from './errors';
export {
  MediaTypes,
  MANIFEST_MEDIA_TYPES,
  MANIFEST_ACCEPT,
  isManifestMediaType,
  isIndexMediaType,
  type ManifestMediaType,
} from './media-types';
export {
  parseDigest,
  isDigest,
  digestOf,
  sha256Digest,
  verifyDigest,
  type DigestAlgorithm,
  type ParsedDigest,
} from './digest';
export {
  parseReference,
  formatReference,
  familiarName,
  registryEndpoint,
  toReference,
  assertRepository,
  assertTag,
  DOCKER_HUB_REGISTRY,
  DOCKER_HUB_ENDPOINT,
  DEFAULT_TAG,
  type ImageReference,
} from './reference';
export {
  parsePlatform,
  formatPlatform,
  platformMatches,
  type Platform,
  type Descriptor,
  type ImageManifest,
  type ImageIndex,
} from './manifest';
export {
  loadCredentials,
  credentialsFromDockerConfig,
  readDockerConfig,
  normalizeRegistryHost,
  type RegistryCredential,
  type RegistryCredentials,
  type RegistryCredentialsInput,
} from './credentials';
export {
  registryConfigSchema,
  registryClientOptionsFromConfig,
  type RegistryConfig,
} from './registry-config';
export { isLoopbackHost } from './transport-policy';
export type { HttpFetch, HttpRequest, Clock } from './registry-http';
export {
  RegistryClient,
  attestationTag,
  DEFAULT_MAX_MANIFEST_BYTES,
  DEFAULT_MAX_BLOB_READ_BYTES,
  type RegistryClientOptions,
  type ResolvedImage,
  type PlatformManifest,
  type FetchedManifest,
  type BlobStream,
  type BlobReadOptions,
  type PushedContent,
} from './registry-client';
