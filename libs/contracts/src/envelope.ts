import { z } from 'zod';

/** `stella.<domain>.<entity>[.<more>].<action>`: lowercase tokens that are valid NATS subject tokens. */
export const EVENT_TYPE_PATTERN = /^stella(?:\.[a-z][a-z0-9_]*){2,}$/;
const RFC3339_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
const DATASCHEMA = /^urn:stella:event:(stella(?:\.[a-z][a-z0-9_]*){2,}):v([1-9][0-9]{0,5})$/;
export const EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

export function dataSchemaUrn(type: string, version: number): string {
  return `urn:stella:event:${type}:v${version}`;
}

export function parseDataSchemaUrn(urn: string): { type: string; version: number } | undefined {
  const match = DATASCHEMA.exec(urn);
  if (!match) return undefined;
  return { type: match[1]!, version: Number(match[2]) };
}

/** Milliseconds-precision UTC timestamp as CloudEvents `time` (`2026-01-02T03:04:05.678Z`). */
export function formatEventTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('invalid event time');
  return date.toISOString();
}

export const eventTimeSchema = z
  .string()
  .regex(RFC3339_UTC_MS, 'must be RFC 3339 UTC with millisecond precision, ending with Z')
  .refine((value) => {
    const parsed = new Date(value);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === value;
  }, 'not a real calendar time');

/**
 * CloudEvents 1.0 structured-mode JSON envelope. `tenant` and `traceparent` are extension
 * attributes (lowercase alphanumerics, as the spec requires). Unknown attributes are refused so
 * that producers cannot smuggle fields past review.
 */
export const cloudEventEnvelopeSchema = z
  .strictObject({
    specversion: z.literal('1.0'),
    id: z.string().regex(EVENT_ID_PATTERN, 'invalid event id'),
    source: z.string().min(1).max(512),
    type: z.string().regex(EVENT_TYPE_PATTERN, 'must be stella.<domain>.<entity>.<action>'),
    subject: z.string().min(1).max(512).optional(),
    time: eventTimeSchema,
    tenant: z.string().regex(TENANT_ID_PATTERN, 'invalid tenant id'),
    traceparent: z.string().regex(TRACEPARENT, 'must be a W3C traceparent').optional(),
    datacontenttype: z.literal('application/json'),
    dataschema: z.string().regex(DATASCHEMA, 'must be urn:stella:event:<type>:v<version>'),
    data: z.unknown(),
  })
  .superRefine((envelope, ctx) => {
    const schema = parseDataSchemaUrn(envelope.dataschema);
    if (schema && schema.type !== envelope.type) {
      ctx.addIssue({ code: 'custom', path: ['dataschema'], message: 'dataschema names a different type' });
    }
  });

export type CloudEventEnvelope = z.output<typeof cloudEventEnvelopeSchema>;
