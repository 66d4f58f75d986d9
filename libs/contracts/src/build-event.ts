import {
  CLOUDEVENTS_CONTENT_TYPE,
  cloudEventEnvelopeSchema,
  dataSchemaUrn,
  formatEventTime,
  parseDataSchemaUrn,
} from './envelope';
import { ContractError } from './errors';
import { newEventId } from './event-id';
import type { AnyCloudEvent, CloudEvent } from './cloud-event';
import {
  currentEventDefinition,
  eventDefinitionFor,
  type EventDataInput,
  type EventType,
} from './events/catalogue';
import { toContractIssues } from './zod-issues';

export interface BuildEventInput<T extends EventType> {
  /** URI-reference of the producer, e.g. `/stella/authority`. */
  source: string;
  tenant: string;
  /** What the event is about inside the source (e.g. a client id). */
  subject?: string;
  data: EventDataInput<T>;
  /** Defaults to a new UUIDv7; pass `deriveEventId(...)` for content-derived ids. */
  id?: string;
  /** Defaults to now. */
  time?: Date;
  traceparent?: string;
}

/** Builds a validated CloudEvent; `data` is type-checked against the catalogue entry for `type`. */
export function buildEvent<T extends EventType>(type: T, input: BuildEventInput<T>): CloudEvent<T> {
  const definition = currentEventDefinition(type);
  if (!definition) throw new ContractError('UNKNOWN_EVENT_TYPE', `unknown event type ${type}`);
  const data = definition.schema.safeParse(input.data);
  if (!data.success) {
    throw new ContractError('INVALID_EVENT_DATA', `invalid data for ${type}`, toContractIssues(data.error));
  }
  const candidate = {
    specversion: '1.0',
    id: input.id ?? newEventId(),
    source: input.source,
    type,
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    time: formatEventTime(input.time ?? new Date()),
    tenant: input.tenant,
    ...(input.traceparent === undefined ? {} : { traceparent: input.traceparent }),
    datacontenttype: 'application/json',
    dataschema: dataSchemaUrn(type, definition.version),
    data: data.data,
  };
  const envelope = cloudEventEnvelopeSchema.safeParse(candidate);
  if (!envelope.success) {
    throw new ContractError(
      'INVALID_ENVELOPE',
      `invalid envelope for ${type}`,
      toContractIssues(envelope.error),
    );
  }
  return envelope.data as CloudEvent<T>;
}

/**
 * Validates an already-decoded structured-mode CloudEvent: the envelope, then `data` against
 * the catalogue schema named by its type and `dataschema` version.
 */
export function parseEvent(json: unknown): AnyCloudEvent {
  const envelope = cloudEventEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw new ContractError(
      'INVALID_ENVELOPE',
      'not a valid Stella CloudEvent',
      toContractIssues(envelope.error),
    );
  }
  const { type, dataschema } = envelope.data;
  const current = currentEventDefinition(type);
  if (!current) throw new ContractError('UNKNOWN_EVENT_TYPE', `unknown event type ${type}`);
  const version = parseDataSchemaUrn(dataschema)?.version ?? 0;
  const definition = eventDefinitionFor(type, version);
  if (!definition) {
    throw new ContractError(
      'UNSUPPORTED_EVENT_VERSION',
      `${type} has no version ${version} in the catalogue`,
    );
  }
  const data = definition.schema.safeParse(envelope.data.data);
  if (!data.success) {
    throw new ContractError(
      'INVALID_EVENT_DATA',
      `invalid data for ${type} v${version}`,
      toContractIssues(data.error),
    );
  }
  return { ...envelope.data, data: data.data } as AnyCloudEvent;
}

/** Decodes structured-mode JSON bytes (or text) and validates them with `parseEvent`. */
export function decodeEvent(body: Uint8Array | string): AnyCloudEvent {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ContractError('INVALID_EVENT_JSON', 'event body is not JSON', [], { cause: error });
  }
  return parseEvent(json);
}

/** Structured-mode JSON body of an event (`content-type: application/cloudevents+json`). */
export function encodeEvent(event: AnyCloudEvent | CloudEvent): string {
  return JSON.stringify(event);
}

export { CLOUDEVENTS_CONTENT_TYPE };
