import { randomBytes } from 'node:crypto';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { testNatsUrl } from './env';

/** A Bus from @stella/bus fits; only its manager and connection are used. */
export interface CleanupTarget {
  jsm: JetStreamManager;
  nc: NatsConnection;
}

export interface TestNatsPrefix {
  /** Subject prefix used in place of `stella`, e.g. `t_3f9a0c1d2e4b`. */
  prefix: string;
  /** Streams provisioned with this prefix are named `<STREAM_PREFIX>_<NAME>`. */
  streamPrefix: string;
  /** STELLA_TEST_NATS_URL. */
  servers: string;
  /**
   * Deletes every stream (and so every consumer) named with this prefix. Uses the given bus's
   * manager when still open, else opens a short-lived connection of its own.
   */
  cleanup(bus?: CleanupTarget): Promise<string[]>;
}

async function deleteStreamsWithPrefix(jsm: JetStreamManager, streamPrefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const name of jsm.streams.names()) {
    if (name.startsWith(`${streamPrefix}_`)) names.push(name);
  }
  for (const name of names) await jsm.streams.delete(name);
  return names;
}

/** A unique subject/stream prefix for one test file on the local JetStream. */
export function createTestNatsPrefix(): TestNatsPrefix {
  const prefix = `t_${randomBytes(6).toString('hex')}`;
  const streamPrefix = prefix.toUpperCase();
  const servers = testNatsUrl();
  return {
    prefix,
    streamPrefix,
    servers,
    async cleanup(bus) {
      if (bus && !bus.nc.isClosed()) return deleteStreamsWithPrefix(bus.jsm, streamPrefix);
      const nc = await connect({ servers, name: 'stella-tests-cleanup' });
      try {
        return await deleteStreamsWithPrefix(await nc.jetstreamManager(), streamPrefix);
      } finally {
        await nc.close();
      }
    },
  };
}
