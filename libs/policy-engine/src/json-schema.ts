import { z } from 'zod';
import { policyDocumentSchema } from './document-schema';
import { policyInputSchema } from './input-schema';
import { policyVerdictSchema } from './verdict-schema';

function toJsonSchema(
  schema: z.ZodType,
  id: string,
  title: string,
  description: string,
): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = generated;
  return { $schema, $id: id, title, description, ...rest };
}

/** JSON Schema (2020-12) of the input document; docs/schemas/policy-input.v1.json is this. */
export function policyInputJsonSchema(): Record<string, unknown> {
  return toJsonSchema(
    policyInputSchema,
    'urn:stella:schema:policy-input:v1',
    'Stella policy input document (stella.policy.input/v1)',
    'What a policy is evaluated over (docs/reference/policy-input.md). Also refused beyond this schema: an exception approved by its own requester.',
  );
}

/** JSON Schema (2020-12) of the policy document; docs/schemas/policy-document.v1.json is this. */
export function policyDocumentJsonSchema(): Record<string, unknown> {
  return toJsonSchema(
    policyDocumentSchema,
    'urn:stella:schema:policy-document:v1',
    'Stella policy document (stella.policy/v1)',
    'A policy (docs/reference/policy.md). Also refused beyond this schema: duplicate rule ids, rules bound to environments the policy does not bind, CEL that does not compile, OPA modules that do not load.',
  );
}

/** JSON Schema (2020-12) of the verdict; docs/schemas/policy-verdict.v1.json is this. */
export function policyVerdictJsonSchema(): Record<string, unknown> {
  return toJsonSchema(
    policyVerdictSchema,
    'urn:stella:schema:policy-verdict:v1',
    'Stella policy verdict (stella.policy.verdict/v1)',
    'The result of evaluating a policy over an input document (docs/reference/policy.md, "The verdict"). Its RFC 8785 canonical bytes are what is hashed, signed and compared on replay.',
  );
}
