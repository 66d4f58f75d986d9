import { canonicalize } from '@stella/canonical';
import examples from '../__fixtures__/spec-examples.json';
import { isAttestError } from '../errors';
import type { CycloneDxBom } from '../predicates/cyclonedx';
import { ResourceDescriptorSchema } from './resource-descriptor';
import {
  buildStatement,
  IN_TOTO_STATEMENT_V1,
  isInTotoPayloadType,
  parseStatement,
  sha256Subject,
  statementBytes,
  statementHasSubject,
} from './statement';

const cyclonedx = examples.cyclonedxPredicate as CycloneDxBom;
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const subject = [{ name: 'app', digest: { sha256: 'ab'.repeat(32) } }];

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (isAttestError(error)) return (error.details.issues ?? []).map((i) => i.path);
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('ResourceDescriptor', () => {
  it.each(examples.resourceDescriptors.map((rd, i) => [i, rd] as const))(
    'accepts spec example %i',
    (_i, rd) => {
      expect(ResourceDescriptorSchema.safeParse(rd).success).toBe(true);
    },
  );

  it('requires one of uri, digest or content', () => {
    expect(ResourceDescriptorSchema.safeParse({ name: 'x', mediaType: 'text/plain' }).success).toBe(false);
  });

  it.each([
    ['uppercase hex', { sha256: 'AB'.repeat(32) }],
    ['short sha256', { sha256: 'ab'.repeat(31) }],
    ['non-hex sha1', { sha1: 'z'.repeat(40) }],
    ['empty set', {}],
  ])('refuses a digest set with %s', (_label, digest) => {
    expect(ResourceDescriptorSchema.safeParse({ digest }).success).toBe(false);
  });

  it.each(['HTTPS://example.com/x', 'https://Example.com/x', 'not a uri', 'relative/path'])(
    'refuses the non-normalized URI %s',
    (uri) => {
      expect(ResourceDescriptorSchema.safeParse({ uri }).success).toBe(false);
    },
  );

  it('accepts purls and keeps path case', () => {
    expect(
      ResourceDescriptorSchema.safeParse({ uri: 'pkg:deb/debian/stunnel@5.50-3?arch=amd64' }).success,
    ).toBe(true);
    expect(ResourceDescriptorSchema.safeParse({ uri: 'https://example.com/Path/With/Case' }).success).toBe(
      true,
    );
  });

  it('refuses content that is not base64', () => {
    expect(ResourceDescriptorSchema.safeParse({ content: 'not base64!' }).success).toBe(false);
  });
});

describe('Statement v1', () => {
  it('parses the spec vulns example and keeps extension fields', () => {
    const statement = parseStatement({ ...examples.vulnsStatement, 'example.com/extension': { a: 1 } });
    expect(statement.predicateType).toBe('https://in-toto.io/attestation/vulns/v0.2');
    expect(statement['example.com/extension']).toEqual({ a: 1 });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['wrong _type', { _type: 'https://in-toto.io/Statement/v0.1' }, '$._type'],
    ['no subject', { subject: [] }, '$.subject'],
    [
      'subject without digest',
      { subject: [{ name: 'x', uri: 'https://example.com/x' }] },
      '$.subject[0].digest',
    ],
    ['predicateType not a URI', { predicateType: 'vulns' }, '$.predicateType'],
    ['predicate not an object', { predicate: [1, 2] }, '$.predicate'],
  ])('refuses a Statement with %s', (_label, patch, path) => {
    expect(issuesOf(() => parseStatement({ ...examples.vulnsStatement, ...patch }))).toContain(path);
  });

  it('builds, validating the predicate of known types', () => {
    const statement = buildStatement({
      subject,
      predicateType: 'https://cyclonedx.org/bom',
      predicate: cyclonedx,
    });
    expect(statement._type).toBe(IN_TOTO_STATEMENT_V1);
    expect(() =>
      buildStatement({
        subject,
        predicateType: 'https://cyclonedx.org/bom',
        predicate: { ...cyclonedx, bomFormat: 'SPDX' } as never,
      }),
    ).toThrow(expect.objectContaining({ code: 'PREDICATE_INVALID' }));
  });

  it('refuses unknown predicate types unless allowed', () => {
    const input = { subject, predicateType: 'https://example.com/custom/v1', predicate: { ok: true } };
    expect(() => buildStatement(input)).toThrow(
      expect.objectContaining({ code: 'PREDICATE_TYPE_UNSUPPORTED' }),
    );
    expect(buildStatement(input, { allowUnknownPredicate: true }).predicate).toEqual({ ok: true });
  });

  it('serializes deterministically: same statement, same bytes, whatever the key order', () => {
    const a = buildStatement({ subject, predicateType: 'https://cyclonedx.org/bom', predicate: cyclonedx });
    const reordered = JSON.parse(
      JSON.stringify({
        predicate: a.predicate,
        predicateType: a.predicateType,
        subject: a.subject,
        _type: a._type,
      }),
    );
    expect(statementBytes(reordered)).toEqual(statementBytes(a));
    expect(statementBytes(a).toString()).toBe(canonicalize(a));
    expect(
      statementBytes(a).toString().startsWith('{"_type":"https://in-toto.io/Statement/v1","predicate":'),
    ).toBe(true);
  });

  it('makes sha256 subjects from digests and matches them', () => {
    const s = sha256Subject('app', DIGEST);
    expect(s).toEqual({ name: 'app', digest: { sha256: 'ab'.repeat(32) } });
    expect(statementHasSubject({ subject: [s] }, DIGEST)).toBe(true);
    expect(statementHasSubject({ subject: [s] }, `sha256:${'cd'.repeat(32)}`)).toBe(false);
    expect(() => sha256Subject('app', 'sha256:XYZ')).toThrow(
      expect.objectContaining({ code: 'SUBJECT_MISMATCH' }),
    );
  });

  it('recognises generic and predicate-specific in-toto payload types', () => {
    expect(isInTotoPayloadType('application/vnd.in-toto+json')).toBe(true);
    expect(isInTotoPayloadType('application/vnd.in-toto.provenance+json')).toBe(true);
    expect(isInTotoPayloadType('application/json')).toBe(false);
    expect(isInTotoPayloadType('application/vnd.in-toto+cbor')).toBe(false);
  });
});
