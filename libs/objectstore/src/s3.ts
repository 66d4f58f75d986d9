import { Client } from 'minio';

export interface S3ConnectionOptions {
  /** `http(s)://host[:port]` of any S3-compatible endpoint (AWS S3, MinIO, Ceph RGW, s3rver). */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /** Path-style addressing (`endpoint/bucket/key`), what MinIO and s3rver want. */
  readonly pathStyle?: boolean;
  /** TLS; defaults to whether the endpoint is https. */
  readonly useSSL?: boolean;
}

/** The `minio` client for an endpoint URL (host, port and TLS taken from it). */
export function createS3Client(options: S3ConnectionOptions): Client {
  const url = new URL(options.endpoint);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`S3 endpoint must be http(s): ${options.endpoint}`);
  return new Client({
    endPoint: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    useSSL: options.useSSL ?? url.protocol === 'https:',
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    region: options.region,
    ...(options.pathStyle === undefined ? {} : { pathStyle: options.pathStyle }),
  });
}

/**
 * Makes sure the bucket exists: creates it in `region` when missing, or refuses when `create` is
 * false (a deployment whose buckets are provisioned by its operators).
 */
export async function ensureBucket(
  client: Client,
  bucket: string,
  region: string,
  options: { create?: boolean } = {},
): Promise<void> {
  if (await client.bucketExists(bucket)) return;
  if (options.create === false) throw new Error(`S3 bucket ${bucket} does not exist`);
  await client.makeBucket(bucket, region);
}
