import { z } from 'zod';
import { PolicyError } from './errors';
import { POLICY_INPUT_SCHEMA_VERSION, SEVERITIES, type PolicyInput, type PolicyProblem } from './types';

const isoUtc = z.iso.datetime({ message: 'ISO 8601 UTC date-time (…Z)' });
const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'sha256:<64 lowercase hex>');
const nonEmpty = z.string().min(1);
const severity = z.enum([...SEVERITIES, 'unknown']);
const vexStatus = z.enum(['not_affected', 'affected', 'fixed', 'under_investigation', 'conflict']);

const finding = z.strictObject({
  id: nonEmpty,
  aliases: z.array(nonEmpty),
  purl: nonEmpty,
  installedVersion: z.string(),
  severity,
  cvss: z.number().min(0).max(10).optional(),
  fixedVersions: z.array(z.string()),
  fixAvailable: z.boolean(),
  kev: z.boolean(),
  epss: z.number().min(0).max(1).optional(),
  publishedAt: isoUtc.optional(),
  vex: z
    .strictObject({
      status: vexStatus,
      justification: z.string().optional(),
      statementRefs: z.array(nonEmpty),
    })
    .optional(),
  reachability: z
    .strictObject({
      state: z.enum(['reachable', 'unreachable', 'unknown']),
      evidenceRef: nonEmpty.optional(),
    })
    .optional(),
  rangeEvaluable: z.boolean(),
});

const component = z.strictObject({
  purl: nonEmpty.optional(),
  name: z.string(),
  version: z.string().optional(),
  licenses: z.array(z.string()).optional(),
  identified: z.boolean(),
});

/** A component list alone (what `prepareComponents` validates). */
export const componentListSchema = z.array(component);

const image = z.strictObject({
  digest,
  name: nonEmpty,
  sbom: z.strictObject({ present: z.boolean(), digest: digest.optional(), scannedAt: isoUtc.optional() }),
  components: z.array(component),
  findings: z.array(finding),
  attestations: z.array(
    z.strictObject({
      predicateType: nonEmpty,
      verified: z.boolean(),
      signerKeyId: nonEmpty.optional(),
      builderId: nonEmpty.optional(),
    }),
  ),
});

const exception = z
  .strictObject({
    id: nonEmpty,
    vulnerability: nonEmpty,
    component: nonEmpty,
    environment: nonEmpty,
    expiresAt: isoUtc,
    requestedBy: nonEmpty,
    approvedBy: z.array(nonEmpty).min(1, 'an exception needs at least one approver'),
    reason: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.approvedBy.includes(e.requestedBy)) {
      ctx.addIssue({
        code: 'custom',
        path: ['approvedBy'],
        message: `self-approved: ${e.requestedBy} requested the exception and cannot approve it`,
      });
    }
  });

const deltaFinding = z.strictObject({
  id: nonEmpty,
  aliases: z.array(nonEmpty),
  purl: nonEmpty,
  installedVersion: z.string(),
  severity,
  fixAvailable: z.boolean(),
  kev: z.boolean(),
  vex: vexStatus.nullable(),
});

export const policyInputSchema = z.strictObject({
  schemaVersion: z.literal(POLICY_INPUT_SCHEMA_VERSION),
  evaluationTime: isoUtc,
  release: z.strictObject({
    id: nonEmpty,
    name: nonEmpty,
    version: nonEmpty,
    manifestDigest: digest,
    createdBy: nonEmpty,
  }),
  environment: z.strictObject({ name: nonEmpty }),
  images: z.array(image),
  approvals: z.array(z.strictObject({ approver: nonEmpty, time: isoUtc, comment: z.string().optional() })),
  exceptions: z.array(exception),
  feedSnapshotId: nonEmpty.nullable(),
  vexSnapshotId: nonEmpty.nullable(),
  baseline: z
    .strictObject({
      releaseId: nonEmpty,
      findings: z.array(deltaFinding),
      components: z.array(nonEmpty).optional(),
    })
    .optional(),
});

type SchemaOut = z.output<typeof policyInputSchema>;
const _assignable: (d: SchemaOut) => PolicyInput = (d) => d;
void _assignable;

export function problemsOf(error: z.ZodError): PolicyProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('/') || '/',
    message: issue.message,
  }));
}

/** Validates an input document; throws PolicyError `INPUT_SCHEMA` naming every offending field. */
export function validatePolicyInput(value: unknown): PolicyInput {
  const parsed = policyInputSchema.safeParse(value);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error);
    throw new PolicyError('INPUT_SCHEMA', `invalid policy input: ${problems.length} problem(s)`, problems);
  }
  return parsed.data;
}
