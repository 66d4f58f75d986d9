import {
  AckPolicy,
  DeliverPolicy,
  ReplayPolicy,
  nanos,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JsMsg,
  type MsgHdrs,
} from 'nats';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { decodeEvent, type AnyCloudEvent } from '@stella/contracts';
import { quoteSchema, schemaOf, withTransaction, type IsolationLevel } from '@stella/db';
import type { Bus } from '../connection';
import { BusError, JS_CONSUMER_NOT_FOUND, errorMessage, jetStreamErrorCode } from '../errors';
import type { BusLogger } from '../logger';
import { INBOX_TABLE } from '../outbox/tables';
import { prefixedSubject, streamName, type StreamDefinition } from '../streams';
import { publishDeadLetter, type DeadLetterReason } from './dead-letter';

export interface ConsumerContext {
  /** Durable consumer name (also the inbox key and the DLQ subject token). */
  consumer: string;
  subject: string;
  streamSeq: number;
  /** 1 on first delivery. */
  deliveryCount: number;
  headers: MsgHdrs | undefined;
}

/**
 * Runs inside the inbox transaction: write effects through `manager` only, so they commit
 * exactly once together with the inbox row. Throwing rolls everything back and schedules a
 * redelivery. The function may be re-run after a serialization failure: no effects outside it.
 */
export type EventHandler = (
  event: AnyCloudEvent,
  manager: EntityManager,
  context: ConsumerContext,
) => Promise<void>;

export interface StartConsumerOptions {
  bus: Bus;
  /** Data source of the consuming service; its schema holds stella_inbox. */
  dataSource: DataSource;
  stream: StreamDefinition;
  /** Durable consumer name, lowercase (`notify-authority`). Never rename: it keys the inbox. */
  durable: string;
  /** Subject filter relative to the prefix (`authority.client.>`); default every subject of the stream. */
  filterSubject?: string;
  /** Handler attempts before dead-lettering, default 5. */
  maxDeliver?: number;
  /** Redelivery delay after the n-th failed attempt (last value repeats), default [1s, 5s, 30s, 60s]. */
  backoffMs?: readonly number[];
  /** Redelivery after a silent consumer (crash), default 30 s; live handlers extend it. */
  ackWaitMs?: number;
  /** Handlers running at once, default 1 (1 keeps stream order for successes). */
  concurrency?: number;
  isolation?: IsolationLevel;
  handler: EventHandler;
  /** Inbox rows of this consumer older than this are deleted, default 30 days; keep above the stream max age. 0 keeps them. */
  inboxRetentionMs?: number;
  /** Wraps each handler run, e.g. to activate the trace context carried in the headers. */
  runInContext?: (headers: MsgHdrs | undefined, work: () => Promise<void>) => Promise<void>;
  logger?: BusLogger;
}

export interface ConsumerStats {
  processed: number;
  duplicates: number;
  failed: number;
  deadLettered: number;
}

export interface RunningConsumer {
  readonly name: string;
  readonly stats: Readonly<ConsumerStats>;
  /**
   * Stops fetching, waits for running handlers up to `deadlineMs` (default 10 s), and naks the
   * ones still running then (their redelivery is dropped by the inbox if they commit after all).
   */
  stop(options?: { deadlineMs?: number }): Promise<void>;
}

const optionsSchema = z.object({
  durable: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lowercase token: it names the inbox key and the DLQ subject'),
  filterSubject: z
    .string()
    .regex(/^(?:[a-z0-9_-]+|\*)(?:\.(?:[a-z0-9_-]+|\*))*(?:\.>)?$/)
    .optional(),
  maxDeliver: z.int().min(1).max(100).default(5),
  backoffMs: z.array(z.int().min(0)).min(1).default([1000, 5000, 30_000, 60_000]),
  ackWaitMs: z.int().min(1000).default(30_000),
  concurrency: z.int().min(1).max(256).default(1),
  inboxRetentionMs: z
    .int()
    .min(0)
    .default(30 * 86_400_000),
});

const PRUNE_EVERY_MS = 3_600_000;

class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = size;
  }
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/** Creates or updates the durable pull consumer to match the options. */
async function ensureConsumer(
  bus: Bus,
  stream: string,
  desired: Partial<ConsumerConfig> & { durable_name: string },
): Promise<void> {
  let current: ConsumerInfo | undefined;
  try {
    current = await bus.jsm.consumers.info(stream, desired.durable_name);
  } catch (error) {
    if (jetStreamErrorCode(error) !== JS_CONSUMER_NOT_FOUND) throw error;
  }
  if (!current) {
    await bus.jsm.consumers.add(stream, desired);
    return;
  }
  const fields = ['filter_subject', 'ack_wait', 'max_deliver', 'max_ack_pending'] as const;
  const changed = fields.filter((field) => (current.config[field] ?? '') !== (desired[field] ?? ''));
  if (changed.length > 0) {
    await bus.jsm.consumers.update(stream, desired.durable_name, {
      filter_subject: desired.filter_subject,
      ack_wait: desired.ack_wait,
      max_deliver: desired.max_deliver,
      max_ack_pending: desired.max_ack_pending,
    });
    bus.logger.info({ stream, consumer: desired.durable_name, changed }, 'consumer updated');
  }
}

class InboxConsumer implements RunningConsumer {
  readonly stats: ConsumerStats = { processed: 0, duplicates: 0, failed: 0, deadLettered: 0 };
  private readonly inFlight = new Set<{ msg: JsMsg; settled: boolean; done: Promise<void> }>();
  private readonly slots: Slots;
  private readonly inbox: string;
  private readonly logger: BusLogger;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private messages: ConsumerMessages | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly streamName: string,
    private readonly options: StartConsumerOptions,
    private readonly settings: z.output<typeof optionsSchema>,
  ) {
    this.slots = new Slots(settings.concurrency);
    this.inbox = `${quoteSchema(schemaOf(options.dataSource))}.${INBOX_TABLE}`;
    this.logger = options.logger ?? options.bus.logger;
  }

  async start(): Promise<void> {
    const consumer = await this.options.bus.js.consumers.get(this.streamName, this.name);
    this.messages = await consumer.consume({ max_messages: Math.max(2 * this.settings.concurrency, 8) });
    this.loop = this.run(this.messages);
    if (this.settings.inboxRetentionMs > 0) {
      void this.pruneInbox();
      this.pruneTimer = setInterval(() => void this.pruneInbox(), PRUNE_EVERY_MS);
      this.pruneTimer.unref();
    }
  }

  async stop({ deadlineMs = 10_000 }: { deadlineMs?: number } = {}): Promise<void> {
    if (this.stopping) return this.loop;
    this.stopping = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.messages?.stop();
    await this.loop;
    const running = [...this.inFlight];
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([Promise.allSettled(running.map((entry) => entry.done)), deadline]);
    clearTimeout(timer);
    for (const entry of this.inFlight) {
      if (!entry.settled) entry.msg.nak();
    }
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      await this.slots.acquire();
      if (this.stopping) {
        // Fetched but not started: hand it back at once instead of waiting for ack_wait.
        msg.nak();
        this.slots.release();
        continue;
      }
      const entry = { msg, settled: false, done: Promise.resolve() };
      entry.done = this.handle(msg)
        .catch((error: unknown) => {
          this.logger.error({ consumer: this.name, error: errorMessage(error) }, 'message handling crashed');
          msg.nak(this.backoffFor(msg.info.deliveryCount));
        })
        .finally(() => {
          entry.settled = true;
          this.inFlight.delete(entry);
          this.slots.release();
        });
      this.inFlight.add(entry);
    }
  }

  private backoffFor(deliveryCount: number): number {
    const schedule = this.settings.backoffMs;
    return schedule[Math.min(deliveryCount - 1, schedule.length - 1)]!;
  }

  private async handle(msg: JsMsg): Promise<void> {
    const deliveries = msg.info.deliveryCount;
    let event: AnyCloudEvent;
    try {
      event = decodeEvent(msg.data);
    } catch (error) {
      // Redelivering cannot make an invalid message valid: dead-letter it on first sight.
      await this.deadLetter(msg, 'invalid_event', error, undefined);
      return;
    }

    if (deliveries > this.settings.maxDeliver) {
      // The spare delivery reserved by max_deliver = maxDeliver + 1: all handler attempts timed
      // out or crashed. Dead-letter unless an attempt did commit and only its ack was lost.
      if (await this.alreadyProcessed(event.id)) {
        this.stats.duplicates += 1;
        msg.ack();
        return;
      }
      const error = new BusError(
        'DELIVERIES_EXHAUSTED',
        `no acknowledgement after ${this.settings.maxDeliver} deliveries`,
      );
      await this.deadLetter(msg, 'max_deliver_exceeded', error, event.id);
      return;
    }

    // Keep JetStream from redelivering while a slow handler is still alive.
    const heartbeat = setInterval(
      () => msg.working(),
      Math.max(500, Math.floor(this.settings.ackWaitMs / 2)),
    );
    try {
      const outcome = await this.runHandler(msg, event);
      msg.ack();
      if (outcome === 'duplicate') this.stats.duplicates += 1;
      else this.stats.processed += 1;
    } catch (error) {
      this.stats.failed += 1;
      if (deliveries >= this.settings.maxDeliver) {
        await this.deadLetter(msg, 'handler_failed', error, event.id);
      } else {
        const delay = this.backoffFor(deliveries);
        this.logger.warn(
          {
            consumer: this.name,
            eventId: event.id,
            type: event.type,
            deliveries,
            retryInMs: delay,
            error: errorMessage(error),
          },
          'event handler failed; will retry',
        );
        msg.nak(delay);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async runHandler(msg: JsMsg, event: AnyCloudEvent): Promise<'processed' | 'duplicate'> {
    let outcome: 'processed' | 'duplicate' = 'processed';
    const context: ConsumerContext = {
      consumer: this.name,
      subject: msg.subject,
      streamSeq: msg.info.streamSequence,
      deliveryCount: msg.info.deliveryCount,
      headers: msg.headers,
    };
    const work = async () => {
      outcome = await withTransaction(
        this.options.dataSource,
        async (manager) => {
          // A concurrent delivery of the same event blocks here until the first commits or rolls back.
          const inserted: unknown[] = await manager.query(
            `INSERT INTO ${this.inbox} (consumer, event_id, event_type, stream_seq) VALUES ($1, $2, $3, $4)
             ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
            [this.name, event.id, event.type, msg.info.streamSequence],
          );
          if (inserted.length === 0) return 'duplicate' as const;
          await this.options.handler(event, manager, context);
          return 'processed' as const;
        },
        { isolation: this.options.isolation },
      );
    };
    if (this.options.runInContext) await this.options.runInContext(msg.headers, work);
    else await work();
    return outcome;
  }

  private async alreadyProcessed(eventId: string): Promise<boolean> {
    const rows: unknown[] = await this.options.dataSource.query(
      `SELECT 1 FROM ${this.inbox} WHERE consumer = $1 AND event_id = $2`,
      [this.name, eventId],
    );
    return rows.length > 0;
  }

  private async deadLetter(
    msg: JsMsg,
    reason: DeadLetterReason,
    error: unknown,
    eventId: string | undefined,
  ): Promise<void> {
    try {
      await publishDeadLetter(this.options.bus, msg, { consumer: this.name, reason, error, eventId });
    } catch (publishError) {
      this.logger.error(
        {
          consumer: this.name,
          streamSeq: msg.info.streamSequence,
          reason,
          error: errorMessage(publishError),
        },
        'dead-lettering failed; message handed back for redelivery',
      );
      msg.nak(this.backoffFor(msg.info.deliveryCount));
      return;
    }
    this.stats.deadLettered += 1;
    this.logger.error(
      {
        consumer: this.name,
        eventId,
        streamSeq: msg.info.streamSequence,
        reason,
        error: errorMessage(error),
      },
      'message dead-lettered',
    );
    if (reason === 'invalid_event') msg.ack();
    else msg.term();
  }

  private async pruneInbox(): Promise<void> {
    try {
      await this.options.dataSource.query(
        `DELETE FROM ${this.inbox} WHERE consumer = $1 AND processed_at < clock_timestamp() - make_interval(secs => $2)`,
        [this.name, this.settings.inboxRetentionMs / 1000],
      );
    } catch (error) {
      this.logger.warn({ consumer: this.name, error: errorMessage(error) }, 'inbox prune failed');
    }
  }
}

/**
 * Starts a durable pull consumer whose handler runs exactly once per event: each message is
 * validated, then handled in one Postgres transaction together with an inbox row keyed by
 * (consumer, event id); duplicates find the row and are only acked. Failures are retried with
 * `backoffMs`, and dead-lettered to `<prefix>.dlq.<durable>` after `maxDeliver` attempts.
 */
export async function startConsumer(options: StartConsumerOptions): Promise<RunningConsumer> {
  const parsed = optionsSchema.safeParse({
    durable: options.durable,
    filterSubject: options.filterSubject,
    maxDeliver: options.maxDeliver,
    backoffMs: options.backoffMs ? [...options.backoffMs] : undefined,
    ackWaitMs: options.ackWaitMs,
    concurrency: options.concurrency,
    inboxRetentionMs: options.inboxRetentionMs,
  });
  if (!parsed.success) {
    throw new BusError('INVALID_OPTIONS', `consumer ${options.durable}: ${z.prettifyError(parsed.error)}`);
  }
  const settings = parsed.data;
  const { bus } = options;
  const stream = streamName(bus.prefix, options.stream);
  const filterSubject = settings.filterSubject
    ? prefixedSubject(bus.prefix, settings.filterSubject)
    : undefined;
  try {
    await ensureConsumer(bus, stream, {
      durable_name: settings.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      ...(filterSubject ? { filter_subject: filterSubject } : {}),
      ack_wait: nanos(settings.ackWaitMs),
      // One delivery more than handler attempts: the spare one dead-letters messages whose
      // attempts all timed out (crashed consumer), which the handler path never saw fail.
      max_deliver: settings.maxDeliver + 1,
      max_ack_pending: Math.max(4 * settings.concurrency, 64),
    });
  } catch (error) {
    throw new BusError(
      'CONSUMER_SETUP_FAILED',
      `consumer ${settings.durable} on ${stream}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  const consumer = new InboxConsumer(settings.durable, stream, options, settings);
  await consumer.start();
  return consumer;
}
