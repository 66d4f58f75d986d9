// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { actorSchema, tenantIdSchema } from '../common';

const advisoryIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9._:+-]{0,199}$/, 'invalid advisory id');
const cveIdSchema = z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'invalid CVE id');

export const advisoryEnrichedV1 = defineEvent({
  type: 'stella.advisory.enriched',
  version: 1,
  description:
    'Concelier stored a new or changed CISA KEV catalogue or FIRST EPSS file: the risk context of the listed CVEs changed (added to or removed from KEV, EPSS score moved). advisoryIds and packageKeys are the advisories known for those CVEs and the components to re-evaluate, without rescanning. A large change is split into parts.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    source: z.enum(['kev', 'epss']),
    /** CVEs whose KEV entry or EPSS score this document added, changed or removed, and that a stored advisory names. */
    changes: z
      .array(
        z.strictObject({
          cveId: cveIdSchema,
          change: z.enum(['added', 'changed', 'removed']),
        }),
      )
      .max(1000),
    /** Stored advisories (any source) that answer to one of those CVEs, by id or alias. */
    advisoryIds: z.array(advisoryIdSchema).max(1000),
    /** Their affected packages, e.g. `maven|org.apache.logging.log4j:log4j-core`, `debian:12|openssl`. */
    packageKeys: z.array(z.string().min(3).max(1200)).max(1000),
    /** Changed CVEs no stored advisory names (nothing to re-evaluate for them), counted over the whole document. */
    unmatchedChanges: z.number().int().min(0),
    /** This event's place among the parts the change was split into (1-based). */
    part: z.number().int().min(1),
    parts: z.number().int().min(1),
    /** sha256 of the stored KEV/EPSS document's exact bytes. */
    documentHash: z.string().regex(/^sha256:[a-f0-9]{64}$/),
    /** The document's date as it states it: KEV dateReleased, EPSS score_date. */
    asOf: z.string().max(64),
    /** Whether an earlier KEV/EPSS document existed (the changes are against it; it is kept). */
    supersedes: z.boolean(),
    importId: z.uuid(),
    snapshotId: z.string().regex(/^sha256:[a-f0-9]{64}$/),
    actor: actorSchema,
  }),
});

export type AdvisoryEnrichedV1 = z.infer<typeof advisoryEnrichedV1.schema>;
