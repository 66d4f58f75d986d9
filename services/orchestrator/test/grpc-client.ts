import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ORCHESTRATOR_PROTO, PROTO_ROOT } from '../src/grpc/grpc-server';

type Message = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test client: responses are asserted field by field

export interface CiClient {
  call(method: string, request: Message, token: string, metadata?: Record<string, string>): Promise<Message>;
  watch(promotionId: string, token: string, afterSeq?: number): Promise<Message[]>;
  close(): void;
}

/** A plain gRPC client, as a CI system would write one from the .proto alone. */
export function ciClient(port: number): CiClient {
  const definition = protoLoader.loadSync(ORCHESTRATOR_PROTO, { includeDirs: [PROTO_ROOT], keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { stella: { orchestrator: { v1: { OrchestratorService: grpc.ServiceClientConstructor } } } };
  const client = new pkg.stella.orchestrator.v1.OrchestratorService(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client &
    Record<string, (...args: unknown[]) => unknown>;
  const meta = (token: string, extra: Record<string, string> = {}) => {
    const m = new grpc.Metadata();
    if (token) m.set('authorization', `Bearer ${token}`);
    for (const [k, v] of Object.entries(extra)) m.set(k, v);
    return m;
  };
  return {
    call(method, request, token, metadata) {
      return new Promise((resolve, reject) => {
        client[method]!(request, meta(token, metadata), (error: grpc.ServiceError | null, response: Message) => (error ? reject(error) : resolve(response)));
      });
    },
    watch(promotionId, token, afterSeq = 0) {
      return new Promise((resolve, reject) => {
        const items: Message[] = [];
        const stream = client.watchPromotion!({ promotionId, afterSeq }, meta(token)) as grpc.ClientReadableStream<Message>;
        stream.on('data', (m: Message) => items.push(m));
        stream.on('end', () => resolve(items));
        stream.on('error', reject);
      });
    },
    close: () => client.close(),
  };
}

export function errorCode(error: unknown): string | undefined {
  const value = (error as grpc.ServiceError).metadata?.get('stella-error-code')[0];
  return typeof value === 'string' ? value : undefined;
}

export function errorDetails(error: unknown): Record<string, unknown> {
  const value = (error as grpc.ServiceError).metadata?.get('stella-error-details-bin')[0];
  return Buffer.isBuffer(value) ? (JSON.parse(value.toString('utf8')) as Record<string, unknown>) : {};
}
