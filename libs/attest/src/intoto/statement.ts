import { canonicalBytes, parseSha256Digest, type Sha256Digest } from '@stella/canonical';
import { z } from 'zod';
import { AttestError } from '../errors';
import { parsePredicate, type PredicateOf } from '../predicates/registry';
import { parseOrThrow } from '../validation';
import { TypeUriSchema } from './field-types';
import { ResourceDescriptorSchema, type ResourceDescriptor } from './resource-descriptor';

import { IN_TOTO_PAYLOAD_TYPE, IN_TOTO_STATEMENT_V1 } from '../names';

export { IN_TOTO_STATEMENT_V1 };

/** DSSE payloadType of an in-toto Statement serialized as JSON. */
export { IN_TOTO_PAYLOAD_TYPE };

/** `application/vnd.in-toto+json` or the predicate-specific `application/vnd.in-toto.<predicate>+json`. */
export function isInTotoPayloadType(payloadType: string): boolean {
  return (
    payloadType === IN_TOTO_PAYLOAD_TYPE ||
    /^application\/vnd\.in-toto\.[a-z0-9][a-z0-9._-]*\+json$/.test(payloadType)
  );
}

const MAX_SUBJECTS = 10_000;

const SubjectSchema = ResourceDescriptorSchema.refine((rd) => rd.digest !== undefined, {
  message: 'every subject must have a digest',
  path: ['digest'],
});

/** in-toto Statement v1; unknown fields are kept (ignored by consumers, still signed). */
export const StatementSchema = z.looseObject({
  _type: z.literal(IN_TOTO_STATEMENT_V1),
  subject: z.array(SubjectSchema).min(1).max(MAX_SUBJECTS),
  predicateType: TypeUriSchema,
  predicate: z.record(z.string(), z.unknown()).optional(),
});

export interface Statement<P = Record<string, unknown>> {
  readonly _type: typeof IN_TOTO_STATEMENT_V1;
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  readonly predicate?: P;
  readonly [extension: string]: unknown;
}

/** Validates the Statement layer only (the predicate is checked by `parsePredicate`). */
export function parseStatement(value: unknown): Statement {
  return parseOrThrow(StatementSchema, value, 'STATEMENT_INVALID', 'in-toto Statement') as Statement;
}

export interface StatementInput<T extends string> {
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: T;
  readonly predicate: PredicateOf<T>;
}

/**
 * Builds a Statement v1 and validates it: the Statement layer always, the predicate against its
 * schema when the type is known (unknown types need `allowUnknownPredicate`).
 */
export function buildStatement<T extends string>(
  input: StatementInput<T>,
  options: { allowUnknownPredicate?: boolean } = {},
): Statement<PredicateOf<T>> {
  const statement = parseStatement({
    _type: IN_TOTO_STATEMENT_V1,
    subject: input.subject,
    predicateType: input.predicateType,
    predicate: input.predicate,
  });
  const predicate = parsePredicate(input.predicateType, statement.predicate, {
    allowUnknown: options.allowUnknownPredicate ?? false,
  });
  return { ...statement, predicate };
}

/** A subject naming an artifact by its `sha256:<hex>` digest. */
export function sha256Subject(name: string, digest: Sha256Digest | string): ResourceDescriptor {
  let hex: string;
  try {
    hex = parseSha256Digest(digest).hex;
  } catch (cause) {
    throw new AttestError(
      'SUBJECT_MISMATCH',
      `subject digest of ${name} is not sha256:<64 lowercase hex>`,
      { name },
      { cause },
    );
  }
  return { name, digest: { sha256: hex } };
}

/** True if any subject carries this sha256 digest (DigestSets match on any shared algorithm). */
export function statementHasSubject(
  statement: Pick<Statement, 'subject'>,
  digest: Sha256Digest | string,
): boolean {
  const hex = digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
  return statement.subject.some((s) => s.digest?.sha256 === hex);
}

/** RFC 8785 canonical JSON bytes of the Statement: the DSSE payload, identical for identical input. */
export function statementBytes(statement: Statement<unknown>): Buffer {
  return canonicalBytes(statement);
}
