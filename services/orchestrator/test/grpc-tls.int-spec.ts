import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORCHESTRATOR_PROTO, PROTO_ROOT } from '../src/grpc/grpc-server';
import { startOrchestrator, type OrchestratorHarness } from './orchestrator-harness';

describe('gRPC over TLS', () => {
  let h: OrchestratorHarness;
  let dir: string;
  let cert: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orch-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    h = await startOrchestrator({ overrides: { orchestratorGrpcTlsCert: cert, orchestratorGrpcTlsKey: readFileSync(join(dir, 'key.pem'), 'utf8') } });
  });

  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function client(credentials: grpc.ChannelCredentials) {
    const definition = protoLoader.loadSync(ORCHESTRATOR_PROTO, { includeDirs: [PROTO_ROOT], keepCase: false, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { stella: { orchestrator: { v1: { OrchestratorService: grpc.ServiceClientConstructor } } } };
    return new pkg.stella.orchestrator.v1.OrchestratorService(`127.0.0.1:${h.grpcPort}`, credentials) as unknown as grpc.Client & {
      listReleases(req: object, md: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: { releases: unknown[] }) => void): void;
    };
  }

  async function list(c: ReturnType<typeof client>) {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${await h.token()}`);
    return new Promise<{ releases: unknown[] }>((resolve, reject) => c.listReleases({}, md, (e, r) => (e ? reject(e) : resolve(r))));
  }

  it('serves clients that trust its certificate and nothing in plaintext', async () => {
    const tls = client(grpc.credentials.createSsl(Buffer.from(cert)));
    await expect(list(tls)).resolves.toEqual({ releases: [] });
    tls.close();
    const plain = client(grpc.credentials.createInsecure());
    await expect(list(plain)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    plain.close();
  });
});
