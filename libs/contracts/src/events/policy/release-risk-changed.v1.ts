// Event types and their NATS subjects are append-only: never rename one or change its meaning
// without a migration (a new version or a new type, with the old one kept parseable).
import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { tenantIdSchema } from '../common';
import { environmentNameSchema, releaseRefSchema } from '../orchestrator/common';

const digestSchema = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 hex>');
const verdictOutcomeSchema = z.enum(['allow', 'warn', 'deny', 'pending']);
const advisoryIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9._:+-]{0,199}$/, 'invalid advisory id');

/** What made the policy service look again: an advisory document, a VEX statement, or a KEV/EPSS change. */
const causeSchema = z.union([
  z.strictObject({
    kind: z.literal('advisory'),
    advisoryId: advisoryIdSchema,
    /** sha256 of the advisory document that arrived. */
    documentHash: digestSchema,
    feedSnapshotId: digestSchema,
  }),
  z.strictObject({
    kind: z.literal('vex'),
    vulnerabilityId: z.string().min(1).max(200),
    /** The product the statement is about: a purl or an image digest. */
    productKey: z.string().min(1).max(2000),
    status: z.string().min(1).max(32),
    documentId: z.string().min(1).max(200),
    documentHash: digestSchema,
  }),
  z.strictObject({
    kind: z.literal('enrichment'),
    /** The CISA KEV catalogue or FIRST EPSS file that changed (stella.advisory.enriched). */
    source: z.enum(['kev', 'epss']),
    /** sha256 of that document's exact bytes. */
    documentHash: digestSchema,
    feedSnapshotId: digestSchema,
    /** The changed CVEs of the event part that caused this re-evaluation. */
    cveIds: z.array(z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'invalid CVE id')).max(1000),
  }),
]);

export const releaseRiskChangedV1 = defineEvent({
  type: 'stella.release.risk_changed',
  version: 1,
  description:
    'The policy verdict of a release deployed in (or awaiting promotion to) an environment changed after new advisories, VEX or KEV/EPSS changes, without a rescan. The evaluation id resolves at the policy service.',
  schema: z.strictObject({
    tenantId: tenantIdSchema,
    release: releaseRefSchema,
    environment: environmentNameSchema,
    /** deployed: the release runs there; awaiting-promotion: a promotion into it is in flight. */
    releaseState: z.enum(['deployed', 'awaiting-promotion']),
    previousVerdict: verdictOutcomeSchema.nullable(),
    newVerdict: verdictOutcomeSchema,
    /** The verdict's one-line human summary. */
    summary: z.string().min(1).max(2048),
    /** Findings that appeared, disappeared or changed against the previous evaluation. */
    delta: z.strictObject({
      newFindings: z.int().min(0),
      fixedFindings: z.int().min(0),
      changedFindings: z.int().min(0),
      /** A few of the vulnerability ids involved, for the notification's first line. */
      vulnerabilities: z.array(z.string().min(1).max(200)).max(20),
    }),
    /** Content digest of the new evaluation (GET /api/v1/evaluations/:id at the policy service). */
    evaluationId: digestSchema,
    previousEvaluationId: digestSchema.nullable(),
    cause: causeSchema,
  }),
});

export type ReleaseRiskChangedV1 = z.infer<typeof releaseRiskChangedV1.schema>;
