import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { quoteSchema, schemaOf } from '@stella/db';
import type { Bus } from '../connection';
import { BusError, errorMessage } from '../errors';
import type { BusLogger } from '../logger';
import { publishEncodedEvent } from '../publish';
import { OUTBOX_CHANNEL, OUTBOX_TABLE, outboxDeadLetterDdl } from './tables';

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
  /**
   * Counter of published events by type and outcome (`ok`, `dead_letter`): libs/observability's
   * `events_published_total`, matched structurally so the bus stays free of prom-client.
   */
  metrics?: { eventsPublished: { inc(labels: { type: string; outcome: 'ok' | 'dead_letter' }, value?: number): void } };
}

/** What the relay did since it was created. */
export interface OutboxRelayStats {
  published: number;
  /** Rows marked failed for good (e.g. larger than the server's max payload). */
  deadLettered: number;
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
  private deadLetterColumn: Promise<boolean> | undefined;
  private readonly metrics: OutboxRelayOptions['metrics'];
  readonly stats: OutboxRelayStats = { published: 0, deadLettered: 0 };

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
    this.metrics = options.metrics;
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

  /**
   * Publishes one batch; returns how many rows were published, failed (retried on the next pass)
   * and were dead-lettered. Usable without start(). A row that can never be published because it
   * exceeds the server's max payload (nc.info.max_payload) is not retried forever: it is marked
   * failed for good (failed_at, last_error), logged as an error with its event id and type, and
   * counted (`events_published_total{outcome="dead_letter"}`); the rows after it go on.
   */
  async relayBatch(): Promise<{ published: number; failed: number; deadLettered: number }> {
    const deadLetter = await this.ensureDeadLetterColumn();
    const queryRunner = this.dataSource.createQueryRunner('master');
    await queryRunner.connect();
    try {
      await queryRunner.startTransaction();
      const rows: OutboxRow[] = await queryRunner.query(
        `SELECT seq, event_id, event_type, body, traceparent FROM ${this.table}
          WHERE published_at IS NULL${deadLetter ? ' AND failed_at IS NULL' : ''} ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) {
        await queryRunner.commitTransaction();
        return { published: 0, failed: 0, deadLettered: 0 };
      }
      const maxPayload = this.bus.nc.info?.max_payload;
      const oversized = new Map<string, string>();
      for (const row of rows) {
        const bytes = Buffer.byteLength(row.body, 'utf8');
        if (maxPayload !== undefined && bytes > maxPayload) {
          oversized.set(row.seq, `event is ${bytes} bytes, over the NATS server's max payload of ${maxPayload} bytes: it can never be published`);
        }
      }
      const sendable = rows.filter((row) => !oversized.has(row.seq));
      // Sent back to back on one connection, so JetStream stores them in outbox order.
      const outcomes = await Promise.allSettled(
        sendable.map((row) =>
          publishEncodedEvent(this.bus, {
            id: row.event_id,
            type: row.event_type,
            body: row.body,
            traceparent: row.traceparent,
          }),
        ),
      );
      const published: OutboxRow[] = [];
      const failed: string[] = [];
      let firstError: string | undefined;
      outcomes.forEach((outcome, index) => {
        const row = sendable[index]!;
        if (outcome.status === 'fulfilled') published.push(row);
        else if (isMaxPayloadExceeded(outcome.reason)) {
          // Headers tipped it over the limit: as permanent as an oversized body.
          oversized.set(row.seq, `${errorMessage(outcome.reason)} (max payload ${maxPayload ?? 'unknown'} bytes): it can never be published`);
        } else {
          failed.push(row.seq);
          firstError ??= errorMessage(outcome.reason);
        }
      });
      if (published.length > 0) {
        await queryRunner.query(
          `UPDATE ${this.table} SET published_at = clock_timestamp(), publish_attempts = publish_attempts + 1, last_error = NULL
            WHERE seq = ANY($1::bigint[])`,
          [published.map((row) => row.seq)],
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
      const deadLettered = rows.filter((row) => oversized.has(row.seq));
      for (const row of deadLettered) {
        const reason = oversized.get(row.seq)!;
        await queryRunner.query(
          `UPDATE ${this.table} SET publish_attempts = publish_attempts + 1, last_error = $2${deadLetter ? ', failed_at = clock_timestamp()' : ''} WHERE seq = $1`,
          [row.seq, reason],
        );
        this.logger.error(
          { schema: this.schema, eventId: row.event_id, eventType: row.event_type, bytes: Buffer.byteLength(row.body, 'utf8'), maxPayload, error: reason },
          deadLetter ? 'outbox event dead-lettered: too large to publish' : 'outbox event too large to publish; no failed_at column to dead-letter it, it stays pending',
        );
      }
      await queryRunner.commitTransaction();
      this.stats.published += published.length;
      for (const row of published) this.metrics?.eventsPublished.inc({ type: row.event_type, outcome: 'ok' });
      if (deadLetter) {
        this.stats.deadLettered += deadLettered.length;
        for (const row of deadLettered) this.metrics?.eventsPublished.inc({ type: row.event_type, outcome: 'dead_letter' });
      }
      return { published: published.length, failed: failed.length, deadLettered: deadLetter ? deadLettered.length : 0 };
    } catch (error) {
      if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await queryRunner.release();
    }
  }

  /** Dead-lettered rows (failed_at set), oldest first: what an operator looks at. */
  async deadLettered(limit = 100): Promise<Array<{ eventId: string; eventType: string; failedAt: Date; lastError: string | null; bytes: number }>> {
    if (!(await this.ensureDeadLetterColumn())) return [];
    const rows: Array<{ event_id: string; event_type: string; failed_at: Date; last_error: string | null; bytes: number }> = await this.dataSource.query(
      `SELECT event_id, event_type, failed_at, last_error, octet_length(body) AS bytes FROM ${this.table}
        WHERE failed_at IS NOT NULL ORDER BY seq LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ eventId: r.event_id, eventType: r.event_type, failedAt: r.failed_at, lastError: r.last_error, bytes: Number(r.bytes) }));
  }

  /**
   * The outbox's dead-letter column (`failed_at`, see addOutboxDeadLetter): outboxes created
   * before it get it here, once (a metadata-only ALTER). Without the right to alter the table the
   * relay still refuses to publish oversized rows and logs them, but cannot set them aside.
   */
  private ensureDeadLetterColumn(): Promise<boolean> {
    this.deadLetterColumn ??= (async () => {
      const [present] = await this.dataSource.query(
        `SELECT 1 AS present FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'failed_at'`,
        [this.schema, OUTBOX_TABLE],
      );
      if (present) return true;
      try {
        await this.dataSource.query(outboxDeadLetterDdl(this.schema));
        return true;
      } catch (error) {
        this.logger.warn(
          { schema: this.schema, error: errorMessage(error) },
          'outbox has no failed_at column and it cannot be added: oversized events cannot be dead-lettered',
        );
        return false;
      }
    })().catch((error: unknown) => {
      this.deadLetterColumn = undefined;
      throw error;
    });
    return this.deadLetterColumn;
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
        const { published, failed, deadLettered } = await this.relayBatch();
        // A full, clean batch means more may be waiting: go again without sleeping.
        idle = failed > 0 || published + deadLettered < this.batchSize;
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

/** nats.js refuses a message over the server's max payload with this code (the error is wrapped as the cause). */
function isMaxPayloadExceeded(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    if ((e as { code?: unknown }).code === 'MAX_PAYLOAD_EXCEEDED') return true;
  }
  return false;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new BusError('INVALID_OPTIONS', `${name} must be a positive integer`);
  return value;
}
