import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface LayoutImage {
  layers: Buffer[];
  platform?: { os: string; architecture: string; variant?: string };
  created?: string;
}

/**
 * Writes an OCI image layout by hand (blobs + index.json), optionally with a multi-platform
 * index, the way umoci/skopeo lay it out; returns the digests so tests can check selection.
 */
export function writeOciLayout(
  dir: string,
  images: LayoutImage[],
  opts: { tag?: string; asIndex?: boolean } = {},
): { manifests: string[]; index?: string } {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (data: Buffer) => {
    const digest = sha256(data);
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const manifests = images.map((image) => {
    const layers = image.layers.map((tar) => ({ tar, gz: gzipSync(tar) }));
    const platform = image.platform ?? { os: 'linux', architecture: 'amd64' };
    const config = Buffer.from(
      JSON.stringify({
        ...platform,
        ...(image.created ? { created: image.created } : {}),
        rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l.tar)) },
      }),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(config) },
        layers: layers.map((l) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          ...put(l.gz),
        })),
      }),
    );
    return { ...put(manifest), platform };
  });
  const annotations = opts.tag ? { annotations: { 'org.opencontainers.image.ref.name': opts.tag } } : {};
  let top: object[];
  let index: string | undefined;
  if (opts.asIndex) {
    const indexBytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: manifests.map((m) => ({
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: m.digest,
          size: m.size,
          platform: m.platform,
        })),
      }),
    );
    const put1 = put(indexBytes);
    index = put1.digest;
    top = [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...put1, ...annotations }];
  } else {
    top = manifests.map((m) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: m.digest,
      size: m.size,
      ...annotations,
    }));
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: top }));
  return { manifests: manifests.map((m) => m.digest), ...(index ? { index } : {}) };
}
