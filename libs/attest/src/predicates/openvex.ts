import { canonicalize } from '@stella/canonical';
import { z } from 'zod';
import { Rfc3339TimestampSchema } from '../intoto/field-types';

/**
 * OpenVEX v0.2.0 document as an in-toto predicate. Mirrors openvex_json_schema_0.2.0.json
 * exactly, including its closed objects (additionalProperties: false), uniqueItems and the
 * status-dependent requirements; the predicate tests cross-check it against that schema.
 */
export const OPENVEX_V020 = 'https://openvex.dev/ns/v0.2.0';

const IriSchema = z.string().min(1).regex(/^\S+$/, 'must be an IRI');

function uniqueItems<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .refine((list) => new Set(list.map((entry) => canonicalize(entry))).size === list.length, {
      message: 'items must be unique',
    });
}

const VulnerabilitySchema = z.strictObject({
  '@id': IriSchema.optional(),
  name: z.string(),
  description: z.string().optional(),
  aliases: uniqueItems(z.string()).optional(),
});

const IdentifiersSchema = z
  .strictObject({ purl: z.string().optional(), cpe22: z.string().optional(), cpe23: z.string().optional() })
  .refine((ids) => ids.purl !== undefined || ids.cpe22 !== undefined || ids.cpe23 !== undefined, {
    message: 'identifiers need one of purl, cpe22, cpe23',
  });

const HashesSchema = z.strictObject({
  md5: z.string().optional(),
  sha1: z.string().optional(),
  'sha-256': z.string().optional(),
  'sha-384': z.string().optional(),
  'sha-512': z.string().optional(),
  'sha3-224': z.string().optional(),
  'sha3-256': z.string().optional(),
  'sha3-384': z.string().optional(),
  'sha3-512': z.string().optional(),
  'blake2s-256': z.string().optional(),
  'blake2b-256': z.string().optional(),
  'blake2b-512': z.string().optional(),
});

const componentFields = {
  '@id': IriSchema.optional(),
  identifiers: IdentifiersSchema.optional(),
  hashes: HashesSchema.optional(),
};
const identified = (c: { '@id'?: string; identifiers?: unknown }): boolean =>
  c['@id'] !== undefined || c.identifiers !== undefined;
const identifiedMessage = { message: 'a component needs @id or identifiers' };

const SubcomponentSchema = z.strictObject(componentFields).refine(identified, identifiedMessage);
const ComponentSchema = z
  .strictObject({ ...componentFields, subcomponents: uniqueItems(SubcomponentSchema).optional() })
  .refine(identified, identifiedMessage);

export const OPENVEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export const OPENVEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

const VexStatementSchema = z
  .strictObject({
    '@id': IriSchema.optional(),
    version: z.number().int().min(1).optional(),
    vulnerability: VulnerabilitySchema,
    timestamp: Rfc3339TimestampSchema.optional(),
    last_updated: Rfc3339TimestampSchema.optional(),
    products: uniqueItems(ComponentSchema).optional(),
    status: z.enum(OPENVEX_STATUSES),
    supplier: z.string().optional(),
    status_notes: z.string().optional(),
    justification: z.enum(OPENVEX_JUSTIFICATIONS).optional(),
    impact_statement: z.string().optional(),
    action_statement: z.string().optional(),
    action_statement_timestamp: Rfc3339TimestampSchema.optional(),
  })
  .superRefine((statement, ctx) => {
    if (
      statement.status === 'not_affected' &&
      statement.justification === undefined &&
      statement.impact_statement === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        message: 'not_affected requires justification or impact_statement',
        path: ['justification'],
      });
    }
    if (statement.status === 'affected' && statement.action_statement === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'affected requires action_statement',
        path: ['action_statement'],
      });
    }
  });

export const OpenVexDocumentSchema = z.strictObject({
  '@context': z.literal(OPENVEX_V020),
  '@id': IriSchema,
  author: z.string(),
  role: z.string().optional(),
  timestamp: Rfc3339TimestampSchema,
  last_updated: Rfc3339TimestampSchema.optional(),
  version: z.number().int().min(1),
  tooling: z.string().optional(),
  statements: uniqueItems(VexStatementSchema).min(1),
});

export type OpenVexDocument = z.infer<typeof OpenVexDocumentSchema>;
