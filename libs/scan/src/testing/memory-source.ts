import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { ImageSource, OpenedImage } from '../sources/image-source';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** An image held in memory (gzip layers + config), for scanImage tests without disk or registry. */
export function memorySource(
  layers: Buffer[],
  opts: { created?: string; name?: string } = {},
): ImageSource & { opened: number[] } {
  const blobs = layers.map((tar) => ({ tar, gz: gzipSync(tar) }));
  const config = {
    architecture: 'amd64',
    os: 'linux',
    ...(opts.created ? { created: opts.created } : {}),
    rootfs: { type: 'layers', diff_ids: blobs.map((b) => sha256(b.tar)) },
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const opened: number[] = [];
  return {
    description: 'memory',
    opened,
    async open(): Promise<OpenedImage> {
      const image: OpenedImage = {
        manifestDigest: sha256(
          Buffer.from(
            JSON.stringify({ config: sha256(configBytes), layers: blobs.map((b) => sha256(b.gz)) }),
          ),
        ),
        configDigest: sha256(configBytes),
        config,
        layers: blobs.map((b) => ({
          digest: sha256(b.gz),
          diffId: sha256(b.tar),
          size: b.gz.length,
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        })),
        openLayer: async (layer) => {
          const index = blobs.findIndex((b) => sha256(b.gz) === layer.digest);
          opened.push(index);
          return { stream: Readable.from([blobs[index]!.gz]), verified: false };
        },
        close: async () => undefined,
      };
      if (opts.name) image.name = opts.name;
      return image;
    },
  };
}
