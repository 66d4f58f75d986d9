import { z } from 'zod';
import { UtcTimestampSchema } from '../intoto/field-types';

/**
 * Stella decision record: the signed outcome of evaluating a release for promotion into an
 * environment. Objects are closed (unknown fields refused): a verifier must never display a
 * partial decision, so additions require a new predicate version. Published as JSON Schema at
 * docs/schemas/decision-record.predicate.v1.json (generated from this schema).
 * Never change the meaning of a field of v1; add a v2 predicate type instead.
 */
export { DECISION_RECORD_V1 } from '../names';
import { DECISION_RECORD_V1 } from '../names';

const Sha256DigestSchema = z
  .string()
  .regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 lowercase hex>')
  .meta({ description: 'Content digest, sha256:<64 lowercase hex>.' });

const NameSchema = z.string().min(1).max(256);
const ReasonSchema = z.string().min(1).max(2048);
const IdentifierSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,255}$/,
    'must be 1-256 characters of [A-Za-z0-9._:@/+-], starting alphanumeric',
  );

export const DecisionGateSchema = z
  .strictObject({
    name: NameSchema.meta({ description: 'Gate name, e.g. "vulnerabilities", "signatures", "approvals".' }),
    result: z.enum(['pass', 'fail', 'warn']),
    reasons: z.array(ReasonSchema).max(1024),
    inputs: z
      .array(
        z.strictObject({
          name: NameSchema,
          digest: Sha256DigestSchema,
        }),
      )
      .max(1024)
      .meta({ description: 'Evidence the gate evaluated, each pinned by digest.' }),
  })
  .meta({ description: 'Outcome of one policy gate.' });

export const DecisionApprovalSchema = z
  .strictObject({
    identity: NameSchema.meta({ description: 'Authenticated identity of the approver (subject or e-mail).' }),
    time: UtcTimestampSchema.meta({ description: 'When the approval was given (RFC 3339, UTC).' }),
    comment: z.string().max(4096).optional(),
  })
  .meta({ description: 'A human approval counted by the decision.' });

export const DecisionRecordV1Schema = z
  .strictObject({
    decisionId: IdentifierSchema.meta({ description: 'Identifier of this decision, unique per tenant.' }),
    releaseManifestDigest: Sha256DigestSchema.meta({
      description: 'Digest of the release manifest decided on; equals the Statement subject digest.',
    }),
    release: z
      .strictObject({ name: NameSchema, version: z.string().min(1).max(128) })
      .meta({ description: 'The release (name and version) the manifest describes.' }),
    environment: NameSchema.meta({ description: 'Target environment of the promotion, e.g. "production".' }),
    tenant: IdentifierSchema.meta({ description: 'Tenant that owns the release and the decision.' }),
    verdict: z.enum(['allow', 'deny', 'pending']).meta({
      description:
        'allow: promotion may proceed; deny: it must not; pending: waiting for approvals or evidence.',
    }),
    reasons: z.array(ReasonSchema).max(1024).meta({ description: 'Human-readable reasons for the verdict.' }),
    gates: z
      .array(DecisionGateSchema)
      .max(256)
      .meta({ description: 'Every gate evaluated, in evaluation order.' }),
    policyHash: Sha256DigestSchema.meta({ description: 'Digest of the canonical policy bundle evaluated.' }),
    approvals: z
      .array(DecisionApprovalSchema)
      .max(256)
      .meta({ description: 'Approvals taken into account.' }),
    feedSnapshotId: IdentifierSchema.optional().meta({
      description: 'Advisory feed snapshot the evaluation used.',
    }),
    vexSnapshotId: IdentifierSchema.optional().meta({ description: 'VEX snapshot the evaluation used.' }),
    evaluatedAt: UtcTimestampSchema.meta({ description: 'When the policy was evaluated (RFC 3339, UTC).' }),
    engineVersion: z
      .string()
      .min(1)
      .max(64)
      .meta({ description: 'Version of the policy engine that evaluated.' }),
  })
  .meta({
    title: 'Stella Ops decision record predicate v1',
    description: `in-toto predicate for predicateType ${DECISION_RECORD_V1}.`,
  });

export type DecisionRecordV1 = z.infer<typeof DecisionRecordV1Schema>;
export type DecisionGate = z.infer<typeof DecisionGateSchema>;
export type DecisionApproval = z.infer<typeof DecisionApprovalSchema>;

export const DECISION_RECORD_V1_SCHEMA_ID =
  'https://stella-ops.dev/schemas/decision-record.predicate.v1.json';

/** JSON Schema (2020-12) of the predicate, as published under docs/schemas. */
export function decisionRecordV1JsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(DecisionRecordV1Schema, {
    target: 'draft-2020-12',
    io: 'input',
  }) as Record<string, unknown>;
  return { $schema: generated.$schema, $id: DECISION_RECORD_V1_SCHEMA_ID, ...generated };
}
