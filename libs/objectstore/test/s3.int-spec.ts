import { startTestS3, type TestS3 } from '@stella/testing';
import { randomBytes } from 'node:crypto';
import { createS3Client, ensureBucket } from '../src';

describe('createS3Client / ensureBucket (s3rver)', () => {
  let s3: TestS3;

  beforeAll(async () => {
    s3 = await startTestS3();
  });
  afterAll(async () => {
    await s3.stop();
  });

  function client() {
    return createS3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      accessKey: s3.accessKey,
      secretKey: s3.secretKey,
      pathStyle: true,
    });
  }

  it('creates a missing bucket once, then leaves it be, and stores objects in it', async () => {
    const bucket = `b-${randomBytes(4).toString('hex')}`;
    const c = client();
    expect(await c.bucketExists(bucket)).toBe(false);
    await ensureBucket(c, bucket, s3.region);
    await ensureBucket(c, bucket, s3.region);
    expect(await c.bucketExists(bucket)).toBe(true);
    await c.putObject(bucket, 'k', Buffer.from('v'));
    const chunks: Buffer[] = [];
    for await (const chunk of await c.getObject(bucket, 'k')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('v');
  });

  it('refuses a missing bucket when it may not create it', async () => {
    await expect(ensureBucket(client(), `b-${randomBytes(4).toString('hex')}`, s3.region, { create: false })).rejects.toThrow(
      /does not exist/,
    );
  });

  it('refuses an endpoint that is not http(s)', () => {
    expect(() =>
      createS3Client({ endpoint: 'ftp://x', region: 'r', accessKey: 'a', secretKey: 's' }),
    ).toThrow(/http\(s\)/);
  });
});
