import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type StreamConfig, type StreamInfo } from 'nats';
import { z } from 'zod';
import type { Bus } from './connection';
import { BusError, JS_STREAM_NOT_FOUND, jetStreamErrorCode } from './errors';

/** Subject token under the prefix that dead letters live in (`<prefix>.dlq.<consumer>`). */
export const DLQ_TOKEN = 'dlq';

const DAY_MS = 86_400_000;

export interface StreamDefinition {
  /** Upper-case base name; provisioned as `<PREFIX>_<NAME>`. */
  readonly name: string;
  /** Subjects relative to the prefix, e.g. `authority.>`. */
  readonly subjects: readonly string[];
  readonly maxAgeDays: number;
  readonly description?: string;
  /** -1 = unlimited (default). */
  readonly maxBytes?: number;
  readonly storage?: 'file' | 'memory';
  /** Window in which Nats-Msg-Id dedups, default 2 minutes (outbox re-publishes inside it). */
  readonly duplicateWindowMs?: number;
  readonly replicas?: number;
}

const relativeSubject = z
  .string()
  .regex(/^(?:[a-z0-9_-]+|\*)(?:\.(?:[a-z0-9_-]+|\*))*(?:\.>)?$/, 'relative subject like domain.>')
  .refine((subject) => subject.split('.')[0] !== DLQ_TOKEN, 'dlq.> is reserved for the dead-letter stream');

const definitionSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,47}$/, 'upper-case name like AUTHORITY')
    .refine((name) => name !== 'DLQ', 'DLQ is the dead-letter stream'),
  subjects: z.array(relativeSubject).min(1),
  maxAgeDays: z.number().positive().max(3650),
  description: z.string().max(200).optional(),
  maxBytes: z.int().min(-1).optional(),
  storage: z.enum(['file', 'memory']).optional(),
  duplicateWindowMs: z.int().min(1000).max(DAY_MS).optional(),
  replicas: z.int().min(1).max(5).optional(),
});

/** Declares a stream in code; `ensureStreams` provisions it. Validated here so typos fail at import. */
export function defineStream(definition: StreamDefinition): StreamDefinition {
  const parsed = definitionSchema.safeParse(definition);
  if (!parsed.success) {
    throw new BusError(
      'INVALID_STREAM_DEFINITION',
      `stream ${definition.name}: ${z.prettifyError(parsed.error)}`,
    );
  }
  if (
    parsed.data.duplicateWindowMs !== undefined &&
    parsed.data.duplicateWindowMs > parsed.data.maxAgeDays * DAY_MS
  ) {
    throw new BusError(
      'INVALID_STREAM_DEFINITION',
      `stream ${definition.name}: duplicate window exceeds max age`,
    );
  }
  return Object.freeze({ ...parsed.data, subjects: Object.freeze([...parsed.data.subjects]) });
}

/** The dead-letter stream every deployment gets: `<PREFIX>_DLQ` on `<prefix>.dlq.>`. */
// Built directly: defineStream refuses the reserved dlq.> subject to every other stream.
export const deadLetterStream: StreamDefinition = Object.freeze({
  name: 'DLQ',
  subjects: Object.freeze([`${DLQ_TOKEN}.>`]),
  maxAgeDays: 30,
  description: 'Messages a consumer could not process, with the reason in Stella-Dlq-* headers',
});

export function streamName(prefix: string, definition: Pick<StreamDefinition, 'name'>): string {
  return `${prefix.toUpperCase().replace(/-/g, '_')}_${definition.name}`;
}

export function prefixedSubject(prefix: string, relative: string): string {
  return `${prefix}.${relative}`;
}

export function deadLetterSubject(prefix: string, consumer: string): string {
  return `${prefix}.${DLQ_TOKEN}.${consumer}`;
}

/** The JetStream config a definition stands for under `prefix`. */
export function streamConfig(
  prefix: string,
  definition: StreamDefinition,
): Partial<StreamConfig> & { name: string } {
  return {
    name: streamName(prefix, definition),
    subjects: definition.subjects.map((subject) => prefixedSubject(prefix, subject)),
    description: definition.description ?? '',
    retention: RetentionPolicy.Limits,
    storage: definition.storage === 'memory' ? StorageType.Memory : StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(definition.maxAgeDays * DAY_MS),
    max_bytes: definition.maxBytes ?? -1,
    duplicate_window: nanos(definition.duplicateWindowMs ?? 120_000),
    num_replicas: definition.replicas ?? 1,
  };
}

export type EnsureStreamAction = 'created' | 'updated' | 'unchanged';

export interface EnsureStreamResult {
  name: string;
  action: EnsureStreamAction;
}

const UPDATABLE_FIELDS = [
  'description',
  'max_age',
  'max_bytes',
  'duplicate_window',
  'num_replicas',
  'discard',
] as const;

function differences(current: StreamConfig, desired: Partial<StreamConfig>): string[] {
  const changed: string[] = [];
  const sortedSubjects = (subjects: readonly string[] | undefined) => [...(subjects ?? [])].sort().join(',');
  if (sortedSubjects(current.subjects) !== sortedSubjects(desired.subjects)) changed.push('subjects');
  for (const field of UPDATABLE_FIELDS) {
    if ((current[field] ?? '') !== (desired[field] ?? '')) changed.push(field);
  }
  return changed;
}

/**
 * Creates each stream (and the dead-letter stream) or updates it when its config drifted from
 * the definition. Retention and storage cannot change in place: that is a STREAM_CONFLICT for a
 * human to resolve, never a silent delete.
 */
export async function ensureStreams(
  bus: Bus,
  definitions: readonly StreamDefinition[],
): Promise<EnsureStreamResult[]> {
  const all = [...definitions.filter((definition) => definition !== deadLetterStream), deadLetterStream];
  const results: EnsureStreamResult[] = [];
  for (const definition of all) {
    const desired = streamConfig(bus.prefix, definition);
    let current: StreamInfo | undefined;
    try {
      current = await bus.jsm.streams.info(desired.name);
    } catch (error) {
      if (jetStreamErrorCode(error) !== JS_STREAM_NOT_FOUND) throw error;
    }
    if (!current) {
      await bus.jsm.streams.add(desired);
      results.push({ name: desired.name, action: 'created' });
      bus.logger.info({ stream: desired.name }, 'stream created');
      continue;
    }
    if (current.config.retention !== desired.retention || current.config.storage !== desired.storage) {
      throw new BusError(
        'STREAM_CONFLICT',
        `stream ${desired.name} exists with retention/storage ${current.config.retention}/${current.config.storage}; ` +
          `the definition wants ${desired.retention}/${desired.storage}, which needs a manual migration`,
      );
    }
    const changed = differences(current.config, desired);
    if (changed.length === 0) {
      results.push({ name: desired.name, action: 'unchanged' });
      continue;
    }
    const { name, retention: _retention, storage: _storage, ...updatable } = desired;
    await bus.jsm.streams.update(name, updatable);
    results.push({ name, action: 'updated' });
    bus.logger.info({ stream: name, changed }, 'stream updated');
  }
  return results;
}
