import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { SUBJECT_PREFIX_PATTERN } from '@stella/contracts';
import { z } from 'zod';
import { BusError } from './errors';
import { silentLogger, type BusLogger } from './logger';

export interface ConnectBusOptions {
  /** `nats://host:port`, one or several (STELLA_NATS_SERVERS, comma-separated). */
  servers: string | string[];
  /** Connection name shown by the server, e.g. `stella-authority`. */
  name: string;
  /** Subject prefix replacing `stella` (STELLA_NATS_PREFIX, default `stella`). */
  prefix: string;
  logger?: BusLogger;
  /** Initial connect timeout in ms, default 5000. */
  connectTimeoutMs?: number;
}

export interface Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly prefix: string;
  readonly logger: BusLogger;
  /** Readiness: a server round trip; resolves with the RTT in ms, rejects when not connected. */
  ping(): Promise<number>;
  /** Graceful: flushes pending publishes, ends subscriptions, then closes. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

const optionsSchema = z.object({
  servers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  name: z.string().regex(/^[\x21-\x7e]{1,64}$/),
  prefix: z.string().regex(SUBJECT_PREFIX_PATTERN, 'lowercase subject token'),
  connectTimeoutMs: z.int().min(1).default(5000),
});

/** Connects to NATS with JetStream; reconnects forever once connected. */
export async function connectBus(options: ConnectBusOptions): Promise<Bus> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new BusError('INVALID_OPTIONS', `invalid bus options: ${z.prettifyError(parsed.error)}`);
  }
  const { servers, name, prefix, connectTimeoutMs } = parsed.data;
  const logger = options.logger ?? silentLogger;
  const nc = await connect({ servers, name, timeout: connectTimeoutMs, maxReconnectAttempts: -1 });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  void (async () => {
    for await (const status of nc.status()) {
      logger.info({ nats: { type: status.type, data: String(status.data) } }, 'nats connection status');
    }
  })();
  return {
    nc,
    js,
    jsm,
    prefix,
    logger,
    async ping() {
      if (nc.isClosed()) throw new BusError('PUBLISH_FAILED', 'bus connection is closed');
      return nc.rtt();
    },
    async drain() {
      if (!nc.isClosed()) await nc.drain();
    },
    async close() {
      if (!nc.isClosed()) await nc.close();
    },
  };
}
