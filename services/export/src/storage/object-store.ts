import { createS3Client, ensureBucket } from '@stella/objectstore';
import type { Client } from 'minio';
import { ExportError } from '../common/export-error';

/** Where packets and audit packs are kept (S3-compatible in production; the port tests may swap). */
export interface ObjectStore {
  ensureBucket(): Promise<void>;
  put(key: string, data: Buffer, metadata: Record<string, string>): Promise<void>;
  get(key: string): Promise<Buffer>;
  remove(key: string): Promise<void>;
  /** Metadata of an object, undefined when it does not exist. */
  stat(key: string): Promise<{ size: number; metadata: Record<string, string> } | undefined>;
  ping(): Promise<void>;
}

export interface S3Options {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  pathStyle: boolean;
}

/** The `minio` client against any S3-compatible endpoint (MinIO, AWS S3, s3rver). */
export class S3ObjectStore implements ObjectStore {
  private readonly client: Client;

  constructor(private readonly options: S3Options) {
    this.client = createS3Client(options);
  }

  async ensureBucket(): Promise<void> {
    await this.call('bucket', () => ensureBucket(this.client, this.options.bucket, this.options.region));
  }

  async put(key: string, data: Buffer, metadata: Record<string, string>): Promise<void> {
    await this.call(key, () => this.client.putObject(this.options.bucket, key, data, data.length, { 'Content-Type': 'application/x-tar', ...metadata }));
  }

  async get(key: string): Promise<Buffer> {
    return this.call(key, async () => {
      const stream = await this.client.getObject(this.options.bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
  }

  async remove(key: string): Promise<void> {
    await this.call(key, () => this.client.removeObject(this.options.bucket, key));
  }

  async stat(key: string): Promise<{ size: number; metadata: Record<string, string> } | undefined> {
    try {
      const stat = await this.client.statObject(this.options.bucket, key);
      return { size: stat.size, metadata: Object.fromEntries(Object.entries(stat.metaData ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])) };
    } catch (error) {
      if ((error as { code?: string }).code === 'NotFound' || (error as { code?: string }).code === 'NoSuchKey') return undefined;
      throw new ExportError('STORE_UNAVAILABLE', `the evidence store failed on ${key}`, { key }, { cause: error });
    }
  }

  async ping(): Promise<void> {
    await this.call('ping', async () => {
      await this.client.bucketExists(this.options.bucket);
    });
  }

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new ExportError('STORE_UNAVAILABLE', `the evidence store failed on ${what}: ${(error as Error).message}`, { key: what }, { cause: error });
    }
  }
}
