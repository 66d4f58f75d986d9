import { z } from 'zod';
import { POLICY_DOCUMENT_API_VERSION, SEVERITIES, type PolicyDocument } from './types';

const action = z.enum(['block', 'warn']).optional();
const severity = z.enum(SEVERITIES);
const nonEmpty = z.string().min(1);

const gateSchemas = {
  severity: z.strictObject({
    action,
    threshold: severity,
    cvss: z.number().min(0).max(10).optional(),
    unknownSeverityAs: severity.optional(),
  }),
  kev: z.strictObject({ action }),
  fixAvailable: z.strictObject({ action, minSeverity: severity.optional() }),
  epss: z.strictObject({ action, threshold: z.number().min(0).max(1) }),
  gracePeriod: z.strictObject({ days: z.number().int().min(0).max(3650), exceptKev: z.boolean().optional() }),
  sbom: z.strictObject({ action }),
  scanAge: z.strictObject({ action, maxDays: z.number().int().min(0).max(3650) }),
  signature: z.strictObject({
    action,
    predicateTypes: z.array(nonEmpty).min(1).optional(),
    trustedKeyIds: z.array(nonEmpty).min(1).optional(),
  }),
  provenance: z.strictObject({
    action,
    allowedBuilders: z.array(nonEmpty).min(1),
    predicateTypes: z.array(nonEmpty).min(1).optional(),
  }),
  licenses: z.strictObject({ action, deny: z.array(nonEmpty).min(1) }),
  reachability: z.strictObject({ downgradeTo: severity.optional() }),
  unknowns: z.strictObject({ action, budget: z.number().int().min(0) }),
  approvals: z.strictObject({
    action,
    min: z.number().int().min(1).max(100),
    excludeCreator: z.boolean().optional(),
  }),
} as const;

const gatesSchema = z.strictObject({
  severity: gateSchemas.severity.optional(),
  kev: gateSchemas.kev.optional(),
  fixAvailable: gateSchemas.fixAvailable.optional(),
  epss: gateSchemas.epss.optional(),
  gracePeriod: gateSchemas.gracePeriod.optional(),
  sbom: gateSchemas.sbom.optional(),
  scanAge: gateSchemas.scanAge.optional(),
  signature: gateSchemas.signature.optional(),
  provenance: gateSchemas.provenance.optional(),
  licenses: gateSchemas.licenses.optional(),
  reachability: gateSchemas.reachability.optional(),
  unknowns: gateSchemas.unknowns.optional(),
  approvals: gateSchemas.approvals.optional(),
});

/** Per environment a gate may also be `null`: switched off although `defaults` enables it. */
const envGatesSchema = z.strictObject({
  severity: gateSchemas.severity.nullable().optional(),
  kev: gateSchemas.kev.nullable().optional(),
  fixAvailable: gateSchemas.fixAvailable.nullable().optional(),
  epss: gateSchemas.epss.nullable().optional(),
  gracePeriod: gateSchemas.gracePeriod.nullable().optional(),
  sbom: gateSchemas.sbom.nullable().optional(),
  scanAge: gateSchemas.scanAge.nullable().optional(),
  signature: gateSchemas.signature.nullable().optional(),
  provenance: gateSchemas.provenance.nullable().optional(),
  licenses: gateSchemas.licenses.nullable().optional(),
  reachability: gateSchemas.reachability.nullable().optional(),
  unknowns: gateSchemas.unknowns.nullable().optional(),
  approvals: gateSchemas.approvals.nullable().optional(),
});

const ruleId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'rule id: lowercase letters, digits, . _ - (at most 64)');
const envName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'environment name: letters, digits, . _ -');

const ruleBase = {
  id: ruleId,
  description: z.string().optional(),
  message: z.string().optional(),
  action,
  environments: z.array(envName).min(1).optional(),
};

const celRule = z.strictObject({
  ...ruleBase,
  language: z.literal('cel'),
  scope: z.enum(['release', 'image', 'finding']).optional(),
  expression: z.string().min(1).max(8192),
});

const regoRule = z.strictObject({
  ...ruleBase,
  language: z.literal('rego'),
  entrypoint: z
    .string()
    .regex(/^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*$/, 'entrypoint: package path like stella/allow'),
  wasm: z.union([
    z.strictObject({
      base64: z
        .string()
        .min(1)
        .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not base64'),
    }),
    z.strictObject({
      path: z
        .string()
        .min(1)
        .refine(
          (p) => !p.startsWith('/') && !p.split('/').includes('..'),
          'path must be relative to the policy bundle',
        ),
    }),
  ]),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const policyDocumentSchema = z
  .strictObject({
    apiVersion: z.literal(POLICY_DOCUMENT_API_VERSION),
    kind: z.literal('Policy'),
    metadata: z.strictObject({
      name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'policy name: lowercase letters, digits, . _ -'),
      version: z.string().min(1).max(64),
      description: z.string().optional(),
    }),
    defaults: z.strictObject({ gates: gatesSchema.optional() }).optional(),
    environments: z
      .record(envName, z.strictObject({ gates: envGatesSchema.optional() }))
      .refine((e) => Object.keys(e).length > 0, 'a policy binds at least one environment'),
    rules: z.array(z.discriminatedUnion('language', [celRule, regoRule])).optional(),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    (doc.rules ?? []).forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id ${rule.id}` });
      seen.add(rule.id);
      (rule.environments ?? []).forEach((env, j) => {
        if (!(env in doc.environments)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'environments', j],
            message: `environment ${env} is not bound by the policy`,
          });
        }
      });
    });
  });

// The schema's output must be assignable to the public PolicyDocument type.
type SchemaOut = z.output<typeof policyDocumentSchema>;
const _assignable: (d: SchemaOut) => PolicyDocument = (d) => d;
void _assignable;
