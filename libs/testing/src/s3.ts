import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real S3-compatible endpoint for integration tests: `s3rver` on a free loopback port with its
 * own data directory (removed by `stop`). Path-style access; every signature with the fixed
 * credentials is accepted. No Object Lock (WORM needs real MinIO/S3).
 */
export interface TestS3 {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  host: string;
  port: number;
  region: string;
  accessKey: string;
  secretKey: string;
  /** Buckets created at start. */
  buckets: string[];
  stop(): Promise<void>;
}

export interface StartTestS3Options {
  /** Buckets to create at start (default none). */
  buckets?: string[];
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

export const TEST_S3_ACCESS_KEY = 'S3RVER';
export const TEST_S3_SECRET_KEY = 'S3RVER';

export async function startTestS3(options: StartTestS3Options = {}): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'stella-s3-'));
  const S3rver = require('s3rver') as S3rverConstructor;
  const buckets = options.buckets ?? [];
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    host: '127.0.0.1',
    port: address.port,
    region: 'us-east-1',
    accessKey: TEST_S3_ACCESS_KEY,
    secretKey: TEST_S3_SECRET_KEY,
    buckets,
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
