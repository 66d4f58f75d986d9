// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, tenantIdSchema } from '../common';

const advisoryIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9._:+-]{0,199}$/, 'invalid advisory id');

export const advisoryUpsertedV1 = defineEvent({
  type: 'stella.advisory.upserted',
  version: 1,
  description:
    'Concelier stored a new or changed advisory document. packageKeys (`<ecosystem>[:<release>]|<name>`) say which components to re-evaluate without rescanning.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    /** The advisory's id in its source (GHSA-…, PYSEC-…, DSA-…, CVE-…). */
    advisoryId: advisoryIdSchema,
    /** Connector that read it. Values are only ever added (consumers treat an unknown one as opaque). */
    source: z.enum([
      'osv',
      'ghsa',
      'debian',
      'nvd',
      'kev',
      'epss',
      'npm-legacy',
      'debian-list',
      'ghsa-api',
      'cyclonedx-vdr',
    ]),
    aliases: z.array(advisoryIdSchema).max(100),
    /** Affected packages, e.g. `npm|lodash`, `debian:12|openssl`, `maven|org.apache.logging.log4j:log4j-core`. */
    packageKeys: z.array(z.string().min(3).max(1200)).max(1000),
    /** sha256 of the stored document's exact bytes. */
    documentHash: z.string().regex(/^sha256:[a-f0-9]{64}$/),
    /** Whether an earlier document with the same id existed (it is kept, never rewritten). */
    supersedes: z.boolean(),
    importId: z.uuid(),
    /** Feed snapshot the import produced: decisions record it to replay against the same intelligence. */
    snapshotId: z.string().regex(/^sha256:[a-f0-9]{64}$/),
    actor: actorSchema,
  }),
});

export type AdvisoryUpsertedV1 = z.infer<typeof advisoryUpsertedV1.schema>;
