import { headers as natsHeaders, type MsgHdrs, type PubAck } from 'nats';
import {
  CLOUDEVENTS_CONTENT_TYPE,
  encodeEvent,
  eventSubject,
  parseEvent,
  type AnyCloudEvent,
  type CloudEvent,
} from '@stella/contracts';
import type { Bus } from './connection';
import { BusError, errorMessage } from './errors';

/** Default wait for the JetStream publish acknowledgement. */
export const PUBLISH_TIMEOUT_MS = 5000;

export interface PublishResult {
  stream: string;
  seq: number;
  /** True when JetStream already held this event id (Nats-Msg-Id) inside its duplicate window. */
  duplicate: boolean;
}

/** Headers of a structured-mode CloudEvent message; W3C trace context comes from the event itself. */
export function eventHeaders(traceparent: string | undefined): MsgHdrs {
  const h = natsHeaders();
  h.set('content-type', CLOUDEVENTS_CONTENT_TYPE);
  if (traceparent) h.set('traceparent', traceparent);
  return h;
}

/** Publishes an already-encoded event; the outbox relay uses this with the stored body. */
export async function publishEncodedEvent(
  bus: Bus,
  message: { id: string; type: string; body: string; traceparent?: string | null },
  timeoutMs = PUBLISH_TIMEOUT_MS,
): Promise<PublishResult> {
  const subject = eventSubject(message.type, bus.prefix);
  let ack: PubAck;
  try {
    ack = await bus.js.publish(subject, message.body, {
      msgID: message.id,
      headers: eventHeaders(message.traceparent ?? undefined),
      timeout: timeoutMs,
    });
  } catch (error) {
    throw new BusError(
      'PUBLISH_FAILED',
      `publish of ${message.type} ${message.id} to ${subject} failed: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
}

/**
 * Publishes one event directly (Nats-Msg-Id = event id, so retries are deduplicated by JetStream).
 * Use the outbox instead whenever the event reports a database change: a direct publish can be
 * lost if the process dies between commit and publish.
 */
export async function publishEvent(bus: Bus, event: AnyCloudEvent | CloudEvent): Promise<PublishResult> {
  const validated = parseEvent(event);
  return publishEncodedEvent(bus, {
    id: validated.id,
    type: validated.type,
    body: encodeEvent(validated),
    traceparent: validated.traceparent,
  });
}
