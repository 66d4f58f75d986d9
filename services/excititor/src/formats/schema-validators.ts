import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VexFormat } from './model';

/** Where the copied specification schemas live (services/excititor/schemas; see its README). */
export const SCHEMA_DIR = join(__dirname, '..', '..', 'schemas');

function load(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, path), 'utf8')) as Record<string, unknown>;
}

function without$schema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _drop, $id: _id, id: _legacyId, ...rest } = schema;
  return rest;
}

/**
 * ajv-formats has no IRI formats. Checked leniently on purpose: published VEX does not always use
 * IRIs (Trivy's own OpenVEX has `@id: "aquasecurity/trivy:<sha256>"`), and refusing the issuer's
 * real documents over an identifier's spelling would help nobody. Text with whitespace or control
 * characters is still refused.
 */
function isIriLike(value: string): boolean {
  if (value.length === 0 || value.length > 4096 || /\s/u.test(value)) return false;
  for (let i = 0; i < value.length; i++)
    if (value.charCodeAt(i) < 0x20 || value.charCodeAt(i) === 0x7f) return false;
  return true;
}

export interface SchemaFailure {
  readonly field: string;
  readonly message: string;
}

export type SchemaCheck = (document: unknown) => SchemaFailure | null;

function check(validate: ValidateFunction): SchemaCheck {
  return (document) => {
    if (validate(document)) return null;
    const error = (validate.errors ?? [])[0] as ErrorObject | undefined;
    const field =
      (error?.instancePath ?? '')
        .replace(/^\//, '')
        .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
        .replace(/\//g, '.') || '(document)';
    const extra =
      error?.params && 'additionalProperty' in error.params
        ? ` (${String(error.params.additionalProperty)})`
        : '';
    return { field, message: `${field}: ${error?.message ?? 'invalid'}${extra}` };
  };
}

/**
 * ajv validators for OpenVEX 0.2 (draft 2020-12), CSAF 2.0 (draft 2020-12, with FIRST's CVSS
 * schemas it references) and CycloneDX 1.5/1.6/1.7 (draft-07). Compiled once per process.
 */
export class VexSchemas {
  private readonly openvex: SchemaCheck;
  private readonly csaf: SchemaCheck;
  private readonly cyclonedx: Record<'1.5' | '1.6' | '1.7', SchemaCheck>;

  constructor() {
    const modern = new Ajv2020({ allErrors: false, strict: false, validateFormats: true });
    addFormats(modern);
    modern.addFormat('iri', isIriLike);
    modern.addFormat('iri-reference', isIriLike);
    this.openvex = check(modern.compile(load('openvex/openvex_json_schema.json')));
    for (const version of ['2.0', '3.0', '3.1']) {
      modern.addSchema(
        without$schema(load(`csaf/cvss-v${version}.json`)),
        `https://www.first.org/cvss/cvss-v${version}.json`,
      );
    }
    this.csaf = check(modern.compile(load('csaf/csaf_json_schema.json')));

    const draft7 = new Ajv({ allErrors: false, strict: false, validateFormats: true });
    addFormats(draft7);
    draft7.addFormat('iri', isIriLike);
    draft7.addFormat('iri-reference', isIriLike);
    // CycloneDX's internationalised e-mail addresses: an @ between two non-blank parts.
    draft7.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
    draft7.addSchema(load('cyclonedx/spdx.schema.json'));
    draft7.addSchema(load('cyclonedx/jsf-0.82.schema.json'));
    draft7.addSchema(load('cyclonedx/cryptography-defs.schema.json'));
    this.cyclonedx = {
      '1.5': check(draft7.compile(load('cyclonedx/bom-1.5.schema.json'))),
      '1.6': check(draft7.compile(load('cyclonedx/bom-1.6.schema.json'))),
      '1.7': check(draft7.compile(load('cyclonedx/bom-1.7.schema.json'))),
    };
  }

  validate(format: VexFormat, document: unknown): SchemaFailure | null {
    if (format === 'openvex') return this.openvex(document);
    if (format === 'csaf') return this.csaf(document);
    const spec = (document as { specVersion?: unknown }).specVersion;
    const version = spec === '1.6' || spec === '1.7' ? spec : '1.5';
    return this.cyclonedx[version](document);
  }
}
