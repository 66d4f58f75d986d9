import { testNatsUrl } from '@stella/testing';
import { connect, type NatsConnection, type Subscription } from 'nats';
import { randomBytes } from 'node:crypto';
import { NatsSignerClient, SignerClientError } from '../src';

/** A stand-in signer answering on `<prefix>.signer.sign` over the real NATS server (the edge of the world). */
describe('NatsSignerClient (real NATS)', () => {
  let nc: NatsConnection;
  let prefix: string;
  let sub: Subscription | undefined;
  const seen: Array<{ authorization: string | undefined; body: unknown }> = [];

  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl(), name: 'signer-client-test' });
  });
  afterAll(async () => {
    await nc.close();
  });
  beforeEach(() => {
    prefix = `t_${randomBytes(6).toString('hex')}`;
    seen.length = 0;
  });
  afterEach(() => {
    sub?.unsubscribe();
    sub = undefined;
  });

  function answer(reply: unknown): void {
    sub = nc.subscribe(`${prefix}.signer.sign`, {
      callback: (_error, msg) => {
        seen.push({ authorization: msg.headers?.get('Authorization'), body: JSON.parse(Buffer.from(msg.data).toString()) });
        msg.respond(Buffer.from(JSON.stringify(reply)));
      },
    });
  }

  function client(tokens: { getToken(): Promise<string>; invalidate?(): void }, timeoutMs = 2_000): NatsSignerClient {
    return new NatsSignerClient({ nc, prefix, tokens, timeoutMs });
  }

  it('sends the payload in base64 with the bearer token and returns the validated result', async () => {
    const result = {
      keyId: 'k1',
      envelope: { payload: 'cA==', payloadType: 'application/json', signatures: [{ keyid: 'k1', sig: 'c2ln' }] },
      certificateChain: ['-----BEGIN CERTIFICATE-----'],
      signedAt: '2026-11-25T08:00:00.000Z',
    };
    answer({ ok: true, result });
    await nc.flush();
    const signed = await client({ getToken: async () => 'tok' }).sign({
      payloadType: 'application/json',
      payload: Buffer.from('p'),
      purpose: 'test',
    });
    expect(signed).toEqual(result);
    expect(seen).toEqual([
      { authorization: 'Bearer tok', body: { payloadType: 'application/json', payload: 'cA==', purpose: 'test' } },
    ]);
  });

  it('refuses with the signer code and drops the token after a 401', async () => {
    answer({ ok: false, error: { code: 'TOKEN_EXPIRED', message: 'expired', status: 401 } });
    await nc.flush();
    const invalidate = jest.fn();
    const error = await client({ getToken: async () => 'tok', invalidate })
      .sign({ payloadType: 't', payload: Buffer.from('p'), purpose: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignerClientError);
    expect(error).toMatchObject({ code: 'SIGNER_REFUSED', details: { signerCode: 'TOKEN_EXPIRED' } });
    expect(invalidate).toHaveBeenCalledTimes(1);
  });

  it('refuses an unreadable reply', async () => {
    answer({ ok: true, result: { keyId: '' } });
    await nc.flush();
    await expect(
      client({ getToken: async () => 'tok' }).sign({ payloadType: 't', payload: Buffer.from('p'), purpose: 'x' }),
    ).rejects.toMatchObject({ code: 'SIGNER_REFUSED' });
  });

  it('is unavailable when nobody answers, with the caller error class', async () => {
    class MyError extends Error {
      constructor(readonly code: string) {
        super(code);
      }
    }
    const c = new NatsSignerClient({
      nc,
      prefix,
      tokens: { getToken: async () => 'tok' },
      timeoutMs: 300,
      error: (code) => new MyError(code),
    });
    const error = await c.sign({ payloadType: 't', payload: Buffer.from('p'), purpose: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MyError);
    expect(error).toMatchObject({ code: 'SIGNER_UNAVAILABLE' });
  });
});
