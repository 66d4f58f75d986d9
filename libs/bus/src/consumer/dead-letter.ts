import { headers as natsHeaders, type JsMsg } from 'nats';
import type { Bus } from '../connection';
import { deadLetterSubject } from '../streams';

/** Why a message was dead-lettered (header `Stella-Dlq-Reason`). */
export type DeadLetterReason = 'invalid_event' | 'handler_failed' | 'max_deliver_exceeded';

export const DLQ_HEADERS = {
  reason: 'Stella-Dlq-Reason',
  error: 'Stella-Dlq-Error',
  errorCode: 'Stella-Dlq-Error-Code',
  consumer: 'Stella-Dlq-Consumer',
  stream: 'Stella-Dlq-Stream',
  streamSeq: 'Stella-Dlq-Stream-Seq',
  subject: 'Stella-Dlq-Subject',
  deliveries: 'Stella-Dlq-Deliveries',
  eventId: 'Stella-Dlq-Event-Id',
} as const;

/** Header values are one line of printable text. */
function headerValue(value: string, max = 1024): string {
  const flat = value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return (flat.length > max ? `${flat.slice(0, max - 3)}...` : flat) || '-';
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0) return code;
  return error instanceof Error ? error.name : 'Error';
}

/**
 * Copies the original message (body and its non-NATS headers) to `<prefix>.dlq.<consumer>` with
 * Stella-Dlq-* headers naming what failed. The msg id makes a retried dead-lettering idempotent.
 */
export async function publishDeadLetter(
  bus: Bus,
  msg: JsMsg,
  details: { consumer: string; reason: DeadLetterReason; error: unknown; eventId?: string },
): Promise<void> {
  const h = natsHeaders();
  if (msg.headers) {
    for (const key of msg.headers.keys()) {
      if (key.toLowerCase().startsWith('nats-')) continue;
      for (const value of msg.headers.values(key)) h.append(key, value);
    }
  }
  const message = details.error instanceof Error ? details.error.message : String(details.error);
  h.set(DLQ_HEADERS.reason, details.reason);
  h.set(DLQ_HEADERS.error, headerValue(message));
  h.set(DLQ_HEADERS.errorCode, headerValue(errorCodeOf(details.error), 128));
  h.set(DLQ_HEADERS.consumer, details.consumer);
  h.set(DLQ_HEADERS.stream, msg.info.stream);
  h.set(DLQ_HEADERS.streamSeq, String(msg.info.streamSequence));
  h.set(DLQ_HEADERS.subject, msg.subject);
  h.set(DLQ_HEADERS.deliveries, String(msg.info.deliveryCount));
  if (details.eventId) h.set(DLQ_HEADERS.eventId, headerValue(details.eventId, 128));
  await bus.js.publish(deadLetterSubject(bus.prefix, details.consumer), msg.data, {
    headers: h,
    msgID: `dlq:${details.consumer}:${msg.info.stream}:${msg.info.streamSequence}`,
  });
}
