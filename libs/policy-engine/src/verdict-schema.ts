import { z } from 'zod';
import { PolicyError } from './errors';
import { problemsOf } from './input-schema';
import {
  GATE_KINDS,
  POLICY_ENGINE_VERSION,
  POLICY_VERDICT_SCHEMA_VERSION,
  type PolicyVerdict,
} from './types';

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);
const sortedStrings = z.array(z.string());
const deltaEntry = z.strictObject({
  finding: z.string(),
  purl: z.string(),
  why: z.enum([
    'new_advisory',
    'new_component',
    'version_change',
    'component_removed',
    'advisory_withdrawn',
    'vex_flip',
    'severity_change',
    'fix_available',
    'kev_added',
    'kev_removed',
  ]),
  detail: z.string(),
});

/**
 * The verdict document (`stella.policy.verdict/v1`): what the policy service stores, the decision
 * record embeds and `stella replay` compares. Validating a stored verdict does not make it true:
 * replay re-evaluates and compares bytes.
 */
export const policyVerdictSchema = z.strictObject({
  schemaVersion: z.literal(POLICY_VERDICT_SCHEMA_VERSION),
  engineVersion: z.literal(POLICY_ENGINE_VERSION),
  policyHash: digest,
  policy: z.strictObject({ name: z.string(), version: z.string() }),
  inputDigest: digest,
  evaluationTime: z.iso.datetime(),
  release: z.strictObject({ id: z.string(), manifestDigest: digest }),
  environment: z.string(),
  verdict: z.enum(['allow', 'deny', 'pending']),
  summary: z.string(),
  gates: z.array(
    z.strictObject({
      id: z.enum(GATE_KINDS),
      outcome: z.enum(['pass', 'fail', 'warn', 'pending']),
      action: z.enum(['block', 'warn']),
      reasons: sortedStrings,
      findings: sortedStrings,
      suppressed: z.array(
        z.strictObject({
          finding: z.string(),
          purl: z.string(),
          by: z.enum(['vex', 'exception', 'reachability', 'grace']),
          ref: z.string(),
        }),
      ),
    }),
  ),
  rules: z.array(
    z.strictObject({
      id: z.string(),
      language: z.enum(['cel', 'rego']),
      outcome: z.enum(['pass', 'fail', 'warn', 'error']),
      message: z.string(),
      subjects: sortedStrings,
    }),
  ),
  unknowns: z.strictObject({
    count: z.number().int().min(0),
    budget: z.number().int().min(0).nullable(),
    items: z.array(
      z.strictObject({
        kind: z.enum([
          'component_without_purl',
          'component_without_version',
          'unidentified_binary',
          'range_not_evaluable',
          'finding_without_vex_or_fix',
          'license_unparseable',
          'severity_unknown',
        ]),
        ref: z.string(),
        why: z.string(),
      }),
    ),
  }),
  delta: z
    .strictObject({
      baselineReleaseId: z.string(),
      new: z.array(deltaEntry),
      fixed: z.array(deltaEntry),
      changed: z.array(deltaEntry),
    })
    .nullable(),
  exceptionsApplied: z.array(
    z.strictObject({
      id: z.string(),
      vulnerability: z.string(),
      component: z.string(),
      expiresAt: z.iso.datetime(),
      approvedBy: sortedStrings,
      suppressed: sortedStrings,
    }),
  ),
  exceptionsExpired: sortedStrings,
});

type SchemaOut = z.output<typeof policyVerdictSchema>;
const _assignable: (v: SchemaOut) => PolicyVerdict = (v) => v;
void _assignable;

/** Validates a stored verdict document; throws PolicyError `INPUT_SCHEMA` naming every bad field. */
export function validatePolicyVerdict(value: unknown): PolicyVerdict {
  const parsed = policyVerdictSchema.safeParse(value);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error);
    throw new PolicyError('INPUT_SCHEMA', `invalid policy verdict: ${problems.length} problem(s)`, problems);
  }
  return parsed.data;
}
