import { digestOf, type Sha256Digest } from '@stella/canonical';

export const RELEASE_MANIFEST_SCHEMA = 'https://stella-ops.dev/schemas/release-manifest/v1';

/**
 * What a release IS: its identity is the sha256 of this object's RFC 8785 canonical JSON. Only
 * digests are in it (never tags), components sorted by name, so the same content always has the
 * same id and any change is a different release.
 */
export interface ReleaseManifest {
  schema: typeof RELEASE_MANIFEST_SCHEMA;
  name: string;
  version: string;
  components: Array<{ name: string; repository: string; digest: string }>;
}

export function releaseManifest(
  name: string,
  version: string,
  components: ReadonlyArray<{ name: string; repository: string; digest: string }>,
): { manifest: ReleaseManifest; id: Sha256Digest } {
  const manifest: ReleaseManifest = {
    schema: RELEASE_MANIFEST_SCHEMA,
    name,
    version,
    components: [...components]
      .map((c) => ({ name: c.name, repository: c.repository, digest: c.digest }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
  return { manifest, id: digestOf(manifest) };
}

export interface ReleaseComponentView {
  name: string;
  repository: string;
  digest: string;
  mediaType: string;
  /** The tag the digest was resolved from at creation (provenance; not part of the identity). */
  tag?: string;
  platforms: Array<{ platform: string; digest: string }>;
}

export interface ReleaseView {
  /** = manifestDigest: the release's identity. */
  id: string;
  name: string;
  version: string;
  manifestDigest: string;
  manifest: ReleaseManifest;
  components: ReleaseComponentView[];
  origin: 'api' | 'registry-notification';
  createdAt: string;
  createdBy: string;
}
