import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createS3Client, ensureBucket } from '@stella/objectstore';
import type { Client as MinioClient } from 'minio';
import type { ScannerConfig } from '../config/scanner-config';

export const SBOM_FORMATS = ['cyclonedx-json', 'spdx-json'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

export const SBOM_CONTENT_TYPES: Record<SbomFormat, string> = {
  'cyclonedx-json': 'application/vnd.cyclonedx+json; version=1.6',
  'spdx-json': 'application/spdx+json',
};

export interface StoredSbom {
  key: string;
  sha256: string;
  size: number;
}

/** Port: where SBOM bytes live. Keys are content-addressed per image, so a re-put is harmless. */
export interface SbomStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<StoredSbom>;
  get(key: string): Promise<Readable>;
  /** Creates the bucket when configured to and it is missing. */
  ensureBucket(): Promise<void>;
  /** Readiness: the bucket answers. */
  check(): Promise<void>;
}

/**
 * Object key of an SBOM: by image digest and platform, never by tenant-chosen names, so a path
 * can not be forged (`sboms/sha256/<hex>/linux_amd64/cyclonedx.json`).
 */
export function sbomKey(imageDigest: string, platform: string, format: SbomFormat): string {
  const [algorithm, hex] = imageDigest.split(':');
  const file = format === 'cyclonedx-json' ? 'cyclonedx.json' : 'spdx.json';
  return `sboms/${algorithm}/${hex}/${platform.replace(/\//g, '_')}/${file}`;
}

export function sha256Of(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** S3-compatible storage through the `minio` client (AWS S3, MinIO, Ceph RGW, s3rver in tests). */
export class MinioSbomStore implements SbomStore {
  private readonly client: MinioClient;
  private readonly bucket: string;
  private readonly region: string;
  private readonly createBucket: boolean;

  constructor(config: ScannerConfig) {
    this.client = createS3Client({
      endpoint: config.scannerS3Endpoint,
      region: config.scannerS3Region,
      accessKey: config.scannerS3AccessKey,
      secretKey: config.scannerS3SecretKey,
      pathStyle: config.scannerS3PathStyle,
      ...(config.scannerS3UseSsl === undefined ? {} : { useSSL: config.scannerS3UseSsl }),
    });
    this.bucket = config.scannerS3Bucket;
    this.region = config.scannerS3Region;
    this.createBucket = config.scannerS3CreateBucket;
  }

  async ensureBucket(): Promise<void> {
    await ensureBucket(this.client, this.bucket, this.region, { create: this.createBucket });
  }

  async check(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket)))
      throw new Error(`S3 bucket ${this.bucket} is missing`);
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<StoredSbom> {
    const sha256 = sha256Of(bytes);
    await this.client.putObject(this.bucket, key, bytes, bytes.length, {
      'Content-Type': contentType,
      'x-amz-meta-sha256': sha256,
    });
    return { key, sha256, size: bytes.length };
  }

  async get(key: string): Promise<Readable> {
    return this.client.getObject(this.bucket, key);
  }
}
