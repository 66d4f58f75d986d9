/** An image pinned by digest, as the registry served it (hashed and verified by libs/oci). */
export interface ResolvedImage {
  /** Normalized repository: `registry/namespace/name` (`docker.io/library/nginx`). */
  repository: string;
  digest: string;
  mediaType: string;
  /** The tag this digest was resolved from, when a tag was given. */
  tag?: string;
  /** For an image index: each platform's manifest digest. */
  platforms: Array<{ platform: string; digest: string }>;
}

/**
 * The registry port: turns `repository:tag` or `repository@digest` into a verified digest, or
 * throws an OrchestratorError (TAG_NOT_FOUND, REPOSITORY_NOT_FOUND, REGISTRY_DIGEST_MISMATCH...).
 */
export interface ImageResolver {
  resolve(repository: string, pin: { tag?: string; digest?: string }): Promise<ResolvedImage>;
  /** `host/ns/name` in the form references normalize to; throws INVALID_IMAGE_REFERENCE. */
  normalizeRepository(repository: string): string;
  close(): Promise<void>;
}
