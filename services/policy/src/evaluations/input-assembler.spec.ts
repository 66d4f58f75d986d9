import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IntelClients } from '../clients/intel-clients';
import { HttpUpstream } from '../clients/upstreams';
import { InputAssembler, type AttestationMemo } from './input-assembler';

// A plain HTTP server plays the attestor (the edge of this service): it counts what it is asked.
describe('InputAssembler attestations', () => {
  let server: Server;
  let url: string;
  const asked: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const subject = new URL(req.url ?? '/', 'http://x').searchParams.get('subject') ?? '';
      asked.push(subject);
      if (subject.endsWith('f')) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          attestations: [
            { attestationId: 'a1', predicateType: 'https://cosign.sigstore.dev/attestation/v1', subjectDigests: [subject], envelopeDigest: 'x', keyIds: ['k1'], logIndex: 1, createdAt: 'x' },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks the attestor once per digest for a whole batch sharing a memo, failures included', async () => {
    const clients = new IntelClients(new HttpUpstream({ attestor: url }, { authorizationHeader: async () => null }, 5000));
    const assembler = new InputAssembler(clients, ...([null, null, null, null] as unknown as [never, never, never, never]));
    const of = (digests: string[], notes: string[], memo?: AttestationMemo) =>
      (assembler as unknown as { attestationsFor(d: string[], n: string[], m?: AttestationMemo): Promise<Map<string, unknown[]>> }).attestationsFor(
        digests,
        notes,
        memo,
      );
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    const f = `sha256:${'f'.repeat(64)}`;
    const memo: AttestationMemo = new Map();
    const notes: string[][] = [[], [], []];
    const results = await Promise.all([of([a, b], notes[0]!, memo), of([a, f], notes[1]!, memo), of([b, f], notes[2]!, memo)]);
    expect(asked.sort()).toEqual([a, b, f]);
    expect(results[0]!.get(a)).toEqual([{ predicateType: 'https://cosign.sigstore.dev/attestation/v1', verified: true, signerKeyId: 'k1' }]);
    expect(results[1]!.has(f)).toBe(false);
    expect(notes[1]).toEqual([expect.stringContaining(`attestations of ${f} unavailable`)]);
    expect(notes[2]).toEqual(notes[1]);
    // Without a memo (a single evaluation), every call asks.
    await of([a], []);
    expect(asked).toHaveLength(4);
  });
});
