import { digestOf, type Sha256Digest } from '@stella/canonical';
import { z } from 'zod';
import { environmentName, roleName } from '../common/schemas';
import { freezeWindowSchema } from '@stella/gates';

/** Names of the built-in gates, in the order they run by default. */
export const BUILT_IN_GATES = ['previous-environment', 'freeze-window', 'approvals'] as const;
export const gateName = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a gate name such as approvals');

export const approvalPolicySchema = z.strictObject({
  /** Distinct approvals needed before the promotion is allowed (0: none). */
  required: z.int().min(0).max(20).default(0),
  /** Roles an approver must hold one of (user tokens' `roles`); empty: any holder of release:approve. */
  approverRoles: z.array(roleName).max(32).default([]),
});

/** Each policy field without its default (for partial updates). */
export const policyFields = {
  approvals: approvalPolicySchema,
  /** The requester and the release's creator may not approve; approvers must be distinct. */
  separationOfDuties: z.boolean(),
  freezeWindows: z.array(freezeWindowSchema).max(100),
  /** Gates evaluated, in order. Unknown names are refused when the environment is saved. */
  gates: z
    .array(gateName)
    .min(1)
    .max(32)
    .refine((gates) => new Set(gates).size === gates.length, { error: 'gates must be distinct' }),
  /**
   * reported: a deployer (CI, agent) reports deploying -> deployed/failed; on-approval: the
   * orchestrator records the deployment as soon as the promotion is allowed (no deployer).
   */
  deployment: z.strictObject({ mode: z.enum(['reported', 'on-approval']) }),
};

/**
 * Everything that decides a promotion into an environment. Its canonical digest, with the
 * promotion path, is the decision record's `policyHash`.
 */
export const environmentPolicySchema = z.strictObject({
  approvals: policyFields.approvals.default({ required: 0, approverRoles: [] }),
  separationOfDuties: policyFields.separationOfDuties.default(true),
  freezeWindows: policyFields.freezeWindows.default([]),
  gates: policyFields.gates.default([...BUILT_IN_GATES]),
  deployment: policyFields.deployment.default({ mode: 'reported' }),
});

export type EnvironmentPolicy = z.infer<typeof environmentPolicySchema>;
export type EnvironmentPolicyInput = z.input<typeof environmentPolicySchema>;

export interface EnvironmentRecord {
  name: string;
  displayName: string;
  policy: EnvironmentPolicy;
  policyDigest: Sha256Digest;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface EnvironmentView extends EnvironmentRecord {
  /** 0-based position in the tenant's promotion path. */
  position: number;
}

export interface PromotionPath {
  environments: string[];
  allowSkip: boolean;
  version: number;
}

export function policyDigestOf(policy: EnvironmentPolicy): Sha256Digest {
  return digestOf(policy);
}

/** The path and environments a tenant starts with: dev -> stage -> prod, two approvals for prod. */
export function defaultEnvironments(): Array<{ name: string; displayName: string; policy: EnvironmentPolicy }> {
  const base = environmentPolicySchema.parse({});
  return [
    { name: 'dev', displayName: 'Development', policy: base },
    { name: 'stage', displayName: 'Staging', policy: base },
    {
      name: 'prod',
      displayName: 'Production',
      policy: environmentPolicySchema.parse({ approvals: { required: 2, approverRoles: [] } }),
    },
  ];
}

export const promotionPathSchema = z.strictObject({
  environments: z
    .array(environmentName)
    .min(1)
    .max(64)
    .refine((names) => new Set(names).size === names.length, { error: 'environments must be distinct' }),
  allowSkip: z.boolean().default(false),
});
