import Ajv2020 from 'ajv/dist/2020';
import examples from '../__fixtures__/spec-examples.json';
import openVexJsonSchema from '../__fixtures__/openvex-0.2.0.schema.json';
import { isAttestError } from '../errors';
import { OpenVexDocumentSchema } from './openvex';
import { isKnownPredicateType, parsePredicate, PredicateTypes, predicateSchemaFor } from './registry';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isAttestError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('SLSA provenance v1', () => {
  const predicate = examples.slsaProvenanceStatement.predicate;

  it('accepts a provenance shaped like the spec example', () => {
    expect(parsePredicate(PredicateTypes.SLSA_PROVENANCE_V1, predicate).runDetails.builder.id).toBe(
      'https://github.com/actions/runner/github-hosted',
    );
  });

  it.each<[string, unknown]>([
    ['missing buildType', { ...predicate, buildDefinition: { externalParameters: {} } }],
    [
      'missing externalParameters',
      { ...predicate, buildDefinition: { buildType: 'https://example.com/t/v1' } },
    ],
    ['missing builder id', { ...predicate, runDetails: { builder: {} } }],
    [
      'non-UTC startedOn',
      {
        ...predicate,
        runDetails: { ...predicate.runDetails, metadata: { startedOn: '2023-01-01T12:34:56+02:00' } },
      },
    ],
    [
      'resolved dependency without uri/digest/content',
      {
        ...predicate,
        buildDefinition: { ...predicate.buildDefinition, resolvedDependencies: [{ name: 'x' }] },
      },
    ],
  ])('refuses %s', (_label, value) => {
    expect(codeOf(() => parsePredicate(PredicateTypes.SLSA_PROVENANCE_V1, value))).toBe('PREDICATE_INVALID');
  });
});

describe('CycloneDX', () => {
  it('accepts the spec example under the generic and the versioned type', () => {
    expect(parsePredicate(PredicateTypes.CYCLONEDX_BOM, examples.cyclonedxPredicate).bomFormat).toBe(
      'CycloneDX',
    );
    expect(
      codeOf(() => parsePredicate('https://cyclonedx.org/bom/v1.4', examples.cyclonedxPredicate)),
    ).toBeUndefined();
    expect(isKnownPredicateType('https://cyclonedx.org/bom/v1.6')).toBe(true);
  });

  it('refuses a specVersion that contradicts the versioned predicate type', () => {
    expect(codeOf(() => parsePredicate('https://cyclonedx.org/bom/v1.6', examples.cyclonedxPredicate))).toBe(
      'PREDICATE_INVALID',
    );
  });

  it.each<[string, unknown]>([
    ['another format', { ...examples.cyclonedxPredicate, bomFormat: 'SPDX' }],
    ['a 2.x specVersion', { ...examples.cyclonedxPredicate, specVersion: '2.0' }],
    ['a bad serial number', { ...examples.cyclonedxPredicate, serialNumber: 'uuid:1' }],
    ['a nameless component', { ...examples.cyclonedxPredicate, components: [{ type: 'library' }] }],
  ])('refuses %s', (_label, value) => {
    expect(codeOf(() => parsePredicate(PredicateTypes.CYCLONEDX_BOM, value))).toBe('PREDICATE_INVALID');
  });
});

describe('SPDX', () => {
  it('accepts SPDX 2.3 under https://spdx.dev/Document and /v2.3, SPDX 3 under /v3', () => {
    expect(parsePredicate(PredicateTypes.SPDX_DOCUMENT, examples.spdx2Predicate).spdxVersion).toBe(
      'SPDX-2.3',
    );
    expect(
      codeOf(() => parsePredicate(PredicateTypes.SPDX_DOCUMENT_V2_3, examples.spdx2Predicate)),
    ).toBeUndefined();
    expect(parsePredicate(PredicateTypes.SPDX_DOCUMENT_V3, examples.spdx3Predicate)['@graph']).toHaveLength(
      1,
    );
  });

  it('refuses an SPDX 3 graph under the SPDX 2 type and vice versa', () => {
    expect(codeOf(() => parsePredicate(PredicateTypes.SPDX_DOCUMENT, examples.spdx3Predicate))).toBe(
      'PREDICATE_INVALID',
    );
    expect(codeOf(() => parsePredicate(PredicateTypes.SPDX_DOCUMENT_V3, examples.spdx2Predicate))).toBe(
      'PREDICATE_INVALID',
    );
  });

  it('refuses an SPDX 2 document without creators', () => {
    const value = {
      ...examples.spdx2Predicate,
      creationInfo: { created: '2024-01-01T00:00:00Z', creators: [] },
    };
    expect(codeOf(() => parsePredicate(PredicateTypes.SPDX_DOCUMENT, value))).toBe('PREDICATE_INVALID');
  });
});

describe('vulnerability scan v0.2', () => {
  const predicate = examples.vulnsStatement.predicate;

  it('accepts the spec example and an empty result list (no vulnerabilities found)', () => {
    expect(parsePredicate(PredicateTypes.VULNS_V02, predicate).scanner.result).toHaveLength(1);
    expect(
      codeOf(() =>
        parsePredicate(PredicateTypes.VULNS_V02, {
          ...predicate,
          scanner: { ...predicate.scanner, result: [] },
        }),
      ),
    ).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['no metadata', { scanner: predicate.scanner }],
    ['no scanner uri', { ...predicate, scanner: { ...predicate.scanner, uri: undefined } }],
    ['a result without id', { ...predicate, scanner: { ...predicate.scanner, result: [{ severity: [] }] } }],
    ['a db without lastUpdate', { ...predicate, scanner: { ...predicate.scanner, db: { version: '1' } } }],
    [
      'a non-UTC timestamp',
      { ...predicate, metadata: { ...predicate.metadata, scanFinishedOn: '2021-08-06 17:50' } },
    ],
  ])('refuses %s', (_label, value) => {
    expect(codeOf(() => parsePredicate(PredicateTypes.VULNS_V02, value))).toBe('PREDICATE_INVALID');
  });
});

describe('OpenVEX 0.2.0, cross-checked against the official JSON Schema', () => {
  // Formats (iri, date-time) are not validated by ajv without ajv-formats; the zod schema checks
  // date-times itself, so the agreement cases below differ structurally.
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  const official = ajv.compile(openVexJsonSchema);
  const base = examples.openvexDocuments[2]!;
  const statement = base.statements[0]!;

  it.each(examples.openvexDocuments.map((doc, i) => [i, doc] as const))(
    'accepts spec example %i like the official schema',
    (_i, doc) => {
      expect(official(doc)).toBe(true);
      expect(OpenVexDocumentSchema.safeParse(doc).success).toBe(true);
      expect(codeOf(() => parsePredicate(PredicateTypes.OPENVEX_V020, doc))).toBeUndefined();
    },
  );

  it.each<[string, unknown]>([
    ['no statements', { ...base, statements: [] }],
    ['a missing author', { ...base, author: undefined }],
    ['an unknown top-level field', { ...base, extra: 1 }],
    ['version 0', { ...base, version: 0 }],
    ['an unknown status', { ...base, statements: [{ ...statement, status: 'maybe' }] }],
    [
      'not_affected without justification or impact',
      { ...base, statements: [{ ...statement, justification: undefined, impact_statement: undefined }] },
    ],
    [
      'affected without action_statement',
      { ...base, statements: [{ ...statement, status: 'affected', justification: undefined }] },
    ],
    ['an unknown justification', { ...base, statements: [{ ...statement, justification: 'because' }] }],
    [
      'a product without @id or identifiers',
      { ...base, statements: [{ ...statement, products: [{ hashes: { md5: 'x' } }] }] },
    ],
    [
      'identifiers without purl/cpe',
      { ...base, statements: [{ ...statement, products: [{ identifiers: {} }] }] },
    ],
    [
      'an unknown hash name',
      { ...base, statements: [{ ...statement, products: [{ '@id': 'pkg:x/y', hashes: { sha256: 'x' } }] }] },
    ],
    ['duplicate statements', { ...base, statements: [statement, statement] }],
    [
      'duplicate aliases',
      { ...base, statements: [{ ...statement, vulnerability: { name: 'CVE-1', aliases: ['A', 'A'] } }] },
    ],
    [
      'a vulnerability without name',
      { ...base, statements: [{ ...statement, vulnerability: { description: 'x' } }] },
    ],
  ])('refuses %s like the official schema', (_label, doc) => {
    const json = JSON.parse(JSON.stringify(doc)) as unknown;
    expect(official(json)).toBe(false);
    expect(OpenVexDocumentSchema.safeParse(json).success).toBe(false);
  });

  it('additionally pins @context to the 0.2.0 namespace of the predicate type', () => {
    expect(
      OpenVexDocumentSchema.safeParse({ ...base, '@context': 'https://openvex.dev/ns/v0.1.0' }).success,
    ).toBe(false);
  });
});

describe('predicate registry', () => {
  it('knows every listed type and nothing else', () => {
    for (const type of Object.values(PredicateTypes)) expect(predicateSchemaFor(type)).toBeDefined();
    expect(isKnownPredicateType('https://example.com/unknown/v1')).toBe(false);
    expect(isKnownPredicateType('toString')).toBe(false);
  });

  it('reports issue paths under $.predicate', () => {
    try {
      parsePredicate(PredicateTypes.VULNS_V02, { scanner: {} });
      throw new Error('not refused');
    } catch (error) {
      expect(isAttestError(error, 'PREDICATE_INVALID')).toBe(true);
      expect(
        (error as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path),
      ).toContain('$.predicate.scanner.uri');
    }
  });

  it('accepts an unknown type only when allowed, and only with an object predicate', () => {
    expect(codeOf(() => parsePredicate('https://example.com/x/v1', {}))).toBe('PREDICATE_TYPE_UNSUPPORTED');
    expect(parsePredicate('https://example.com/x/v1', { a: 1 }, { allowUnknown: true })).toEqual({ a: 1 });
    expect(codeOf(() => parsePredicate('https://example.com/x/v1', 'text', { allowUnknown: true }))).toBe(
      'PREDICATE_INVALID',
    );
  });
});
