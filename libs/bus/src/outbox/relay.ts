import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { quoteSchema, schemaOf } from '@stella/db';
import type { Bus } from '../connection';
import { BusError, errorMessage } from '../errors';
import type { BusLogger } from '../logger';
import { publishEncodedEvent } from '../publish';
import { OUTBOX_CHANNEL, OUTBOX_TABLE } from './tables';

export interface OutboxRelayOptions {
  bus: Bus;
  /** The service's data source (from createDataSource); its schema holds the outbox. */
  dataSource: DataSource;
  /** Rows claimed per transaction, default 100 (STELLA_OUTBOX_BATCH_SIZE). */
  batchSize?: number;
  /** Poll fallback when no NOTIFY arrives, default 1000 ms (STELLA_OUTBOX_POLL_MS). */
  pollIntervalMs?: number;
  /** Published rows older than this are deleted, default 7 days (STELLA_OUTBOX_RETENTION_HOURS). 0 keeps them. */
  retainPublishedMs?: number;
  /** Listen for NOTIFY on a dedicated connection (default true); false = poll only. */
  listen?: boolean;
  /** Connection string for the LISTEN connection, default the data source's url. */
  listenUrl?: string;
  logger?: BusLogger;
}

interface OutboxRow {
  seq: string;
  event_id: string;
  event_type: string;
  body: string;
  traceparent: string | null;
}

const PRUNE_EVERY_MS = 3_600_000;
const LISTEN_RETRY_MS = 5000;

/**
 * Publishes committed outbox rows to JetStream in outbox order. Each batch is one transaction:
 * claim unpublished rows with FOR UPDATE SKIP LOCKED (so replicas never publish the same row at
 * the same time), publish them with Nats-Msg-Id = event id, mark them published, commit. A crash
 * after publish and before commit re-publishes the same ids, which JetStream drops inside its
 * duplicate window and every consumer's inbox drops after it. Woken by NOTIFY from the writer's
 * transaction, with a poll as fallback.
 */
export class OutboxRelay {
  private readonly bus: Bus;
  private readonly dataSource: DataSource;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retainPublishedMs: number;
  private readonly listen: boolean;
  private readonly listenUrl: string | undefined;
  private readonly logger: BusLogger;
  private readonly schema: string;
  private readonly table: string;

  private running = false;
  private loop: Promise<void> | undefined;
  private wakeRequested = false;
  private wake: (() => void) | undefined;
  private listener: Client | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private lastPruneAt = 0;

  constructor(options: OutboxRelayOptions) {
    this.bus = options.bus;
    this.dataSource = options.dataSource;
    this.batchSize = positiveInt(options.batchSize ?? 100, 'batchSize');
    this.pollIntervalMs = positiveInt(options.pollIntervalMs ?? 1000, 'pollIntervalMs');
    this.retainPublishedMs = options.retainPublishedMs ?? 7 * 86_400_000;
    this.listen = options.listen ?? true;
    this.listenUrl = options.listenUrl ?? (this.dataSource.options as { url?: string }).url;
    this.logger = options.logger ?? options.bus.logger;
    this.schema = schemaOf(this.dataSource);
    this.table = `${quoteSchema(this.schema)}.${OUTBOX_TABLE}`;
  }

  /** Starts relaying in the background; resolves once the NOTIFY listener is attached. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.listen) await this.connectListener();
    this.loop = this.run();
  }

  /** Finishes the batch in progress, then stops; unpublished rows stay for the next relay. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.signal();
    if (this.listenRetry) clearTimeout(this.listenRetry);
    await this.loop;
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await listener.end().catch(() => undefined);
  }

  /** Publishes one batch; returns how many rows were published. Usable without start(). */
  async relayBatch(): Promise<{ published: number; failed: number }> {
    const queryRunner = this.dataSource.createQueryRunner('master');
    await queryRunner.connect();
    try {
      await queryRunner.startTransaction();
      const rows: OutboxRow[] = await queryRunner.query(
        `SELECT seq, event_id, event_type, body, traceparent FROM ${this.table}
          WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) {
        await queryRunner.commitTransaction();
        return { published: 0, failed: 0 };
      }
      // Sent back to back on one connection, so JetStream stores them in outbox order.
      const outcomes = await Promise.allSettled(
        rows.map((row) =>
          publishEncodedEvent(this.bus, {
            id: row.event_id,
            type: row.event_type,
            body: row.body,
            traceparent: row.traceparent,
          }),
        ),
      );
      const published: string[] = [];
      const failed: string[] = [];
      let firstError: string | undefined;
      outcomes.forEach((outcome, index) => {
        const seq = rows[index]!.seq;
        if (outcome.status === 'fulfilled') published.push(seq);
        else {
          failed.push(seq);
          firstError ??= errorMessage(outcome.reason);
        }
      });
      if (published.length > 0) {
        await queryRunner.query(
          `UPDATE ${this.table} SET published_at = clock_timestamp(), publish_attempts = publish_attempts + 1, last_error = NULL
            WHERE seq = ANY($1::bigint[])`,
          [published],
        );
      }
      if (failed.length > 0) {
        await queryRunner.query(
          `UPDATE ${this.table} SET publish_attempts = publish_attempts + 1, last_error = $2 WHERE seq = ANY($1::bigint[])`,
          [failed, firstError ?? 'unknown error'],
        );
        this.logger.warn(
          { schema: this.schema, failed: failed.length, error: firstError },
          'outbox publish failed; will retry',
        );
      }
      await queryRunner.commitTransaction();
      return { published: published.length, failed: failed.length };
    } catch (error) {
      if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await queryRunner.release();
    }
  }

  /** Deletes published rows older than the retention; returns how many. */
  async prunePublished(olderThanMs = this.retainPublishedMs): Promise<number> {
    const result: [unknown, number] = await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE published_at < clock_timestamp() - make_interval(secs => $1)`,
      [olderThanMs / 1000],
    );
    return result[1];
  }

  private async run(): Promise<void> {
    while (this.running) {
      let idle = true;
      try {
        const { published, failed } = await this.relayBatch();
        // A full, clean batch means more may be waiting: go again without sleeping.
        idle = failed > 0 || published < this.batchSize;
        await this.pruneWhenDue();
      } catch (error) {
        this.logger.error({ schema: this.schema, error: errorMessage(error) }, 'outbox relay batch failed');
      }
      if (idle && this.running) await this.waitForWake();
    }
  }

  private async pruneWhenDue(): Promise<void> {
    const now = Date.now();
    if (this.retainPublishedMs <= 0 || now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    const pruned = await this.prunePublished();
    if (pruned > 0) this.logger.info({ schema: this.schema, pruned }, 'pruned published outbox rows');
  }

  private waitForWake(): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.wakeRequested = false;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.wake = done;
    });
  }

  private signal(): void {
    if (this.wake) this.wake();
    else this.wakeRequested = true;
  }

  private async connectListener(): Promise<void> {
    if (!this.listenUrl) {
      this.logger.warn({ schema: this.schema }, 'outbox relay has no url to LISTEN on; polling only');
      return;
    }
    const client = new Client({
      connectionString: this.listenUrl,
      application_name: `stella-outbox-relay:${this.schema}`,
    });
    const reconnect = (reason: string) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => undefined);
      if (!this.running) return;
      this.logger.warn(
        { schema: this.schema, reason },
        'outbox LISTEN connection lost; polling until it is back',
      );
      this.listenRetry = setTimeout(() => void this.connectListener(), LISTEN_RETRY_MS);
    };
    client.on('notification', (notification) => {
      if (notification.channel === OUTBOX_CHANNEL && notification.payload === this.schema) this.signal();
    });
    client.on('error', (error) => reconnect(error.message));
    client.on('end', () => reconnect('connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
      // Rows committed while we were not listening are picked up by this extra pass.
      this.signal();
    } catch (error) {
      await client.end().catch(() => undefined);
      if (!this.running) return;
      this.logger.warn(
        { schema: this.schema, error: errorMessage(error) },
        'outbox LISTEN failed; polling until it works',
      );
      this.listenRetry = setTimeout(() => void this.connectListener(), LISTEN_RETRY_MS);
    }
  }
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new BusError('INVALID_OPTIONS', `${name} must be a positive integer`);
  return value;
}
