import { isVersioningError, MAX_VERSION_LENGTH } from '@stella/versioning';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { scoreCvss } from '../cvss';
import { isMatchingError } from '../errors';
import { compileIntervals, fixedOfIntervals, parseVers } from '../match/intervals';
import type { AffectedPackage, Advisory, Comparator, CvssScore } from '../model';
import { purlPackage } from '../purl';
import {
  byteLength,
  DEFAULT_MAX_RECORD_BYTES,
  firstIssue,
  hasControlCharacter,
  isPlainObject,
  parseJson,
  RecordCollector,
  type ReadOptions,
} from './record';

const ID = /^[A-Za-z][A-Za-z0-9._:+-]{0,199}$/;
/** A whole VDR file is parsed before it is cut into records: bounded separately from one record. */
export const MAX_VDR_BYTES = 64 * 1024 * 1024;
const MAX_COMPONENTS = 100_000;

const text = (max: number) => z.string().max(max);
const componentSchema = z.object({
  'bom-ref': text(1024).optional(),
  type: text(64).optional(),
  group: text(1000).optional(),
  name: text(1000).optional(),
  version: text(MAX_VERSION_LENGTH).optional(),
  purl: text(4096).optional(),
  cpe: text(4096).optional(),
});
const ratingSchema = z.object({
  source: z.object({ name: text(200).optional(), url: text(4096).optional() }).optional(),
  score: z.union([z.number(), text(16)]).optional(),
  severity: text(32).optional(),
  method: text(32).optional(),
  vector: text(512).optional(),
});
const versionSchema = z.object({
  version: text(MAX_VERSION_LENGTH).optional(),
  range: text(4096).optional(),
  status: z.enum(['affected', 'unaffected', 'unknown']).optional(),
});
const vulnerabilitySchema = z.object({
  'bom-ref': text(1024).optional(),
  id: z.string().regex(ID, { error: 'expected a vulnerability id such as CVE-2021-44228' }),
  source: z.object({ name: text(200).optional(), url: text(4096).optional() }).optional(),
  references: z
    .array(
      z.object({
        id: text(200),
        source: z.object({ name: text(200).optional(), url: text(4096).optional() }).optional(),
      }),
    )
    .max(1000)
    .optional(),
  ratings: z.array(ratingSchema).max(100).optional(),
  cwes: z
    .array(z.union([z.number().int(), z.string().regex(/^\d{1,6}$/)]))
    .max(200)
    .optional(),
  description: text(200_000).optional(),
  detail: text(200_000).optional(),
  recommendation: text(200_000).optional(),
  advisories: z
    .array(z.object({ title: text(2000).optional(), url: text(4096) }))
    .max(1000)
    .optional(),
  created: text(64).optional(),
  published: text(64).optional(),
  updated: text(64).optional(),
  rejected: text(64).optional(),
  analysis: z
    .object({
      state: text(64).optional(),
      justification: text(200).optional(),
      detail: text(20_000).optional(),
    })
    .optional(),
  affects: z
    .array(z.object({ ref: text(2048), versions: z.array(z.unknown()).max(10_000).optional() }))
    .max(10_000)
    .optional(),
});
const bomSchema = z.object({
  bomFormat: z.literal('CycloneDX').optional(),
  specVersion: text(16).optional(),
  serialNumber: z
    .string()
    .regex(/^urn:uuid:[0-9a-fA-F-]{36}$/)
    .optional(),
  version: z.union([z.number().int(), z.string().regex(/^\d{1,9}$/)]).optional(),
  vulnerabilities: z.array(z.unknown()).max(100_000),
});

/** True when a JSON file is a CycloneDX BOM carrying vulnerabilities that say what they affect (a VDR). */
export function looksLikeCycloneDxVdr(head: string): boolean {
  return /"bomFormat"\s*:\s*"CycloneDX"/.test(head) && /"vulnerabilities"\s*:/.test(head);
}

/** True when an XML file is a CycloneDX BOM. */
export function looksLikeCycloneDxXml(head: string): boolean {
  return /<bom\b[^>]*xmlns\s*=\s*"http:\/\/cyclonedx\.org\/schema\/bom\//.test(head);
}

// XML elements that repeat: the JSON form has arrays where the XML form has a wrapper element.
const XML_LISTS: Readonly<Record<string, string>> = {
  components: 'component',
  vulnerabilities: 'vulnerability',
  references: 'reference',
  ratings: 'rating',
  cwes: 'cwe',
  affects: 'target',
  versions: 'version',
  advisories: 'advisory',
};

/** The XML parse tree in CycloneDX JSON's shape: wrappers become arrays, attributes become fields. */
function unwrapXml(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapXml);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const item = XML_LISTS[key];
    if (item !== undefined) {
      const inner = isPlainObject(child) ? child[item] : undefined;
      out[key] = inner === undefined ? [] : (Array.isArray(inner) ? inner : [inner]).map(unwrapXml);
    } else out[key] = unwrapXml(child);
  }
  return out;
}

function parseXmlBom(xml: string): { ok: true; value: unknown } | { ok: false; message: string } {
  // CycloneDX never needs a DTD; refusing one rules out entity expansion bombs and external entities.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    return { ok: false, message: 'DOCTYPE/ENTITY declarations are refused' };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { ok: false, message: `line ${valid.err.line}: ${valid.err.msg}` };
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: false,
    isArray: (name, jpath) => {
      const parent = String(jpath).split('.').slice(-2, -1)[0];
      return parent !== undefined && XML_LISTS[parent] === name;
    },
  });
  const tree = parser.parse(xml) as Record<string, unknown>;
  if (!isPlainObject(tree.bom)) return { ok: false, message: 'no <bom> root element' };
  return { ok: true, value: unwrapXml(tree.bom) };
}

/**
 * CycloneDX Vulnerability Disclosure Reports (JSON or XML, e.g. Apache Logging Services'
 * `vdr.xml`): one record per `vulnerabilities[]` entry. Its `affects` targets name components of
 * the BOM by bom-ref; a component's purl gives the ecosystem and package, and each `versions[]`
 * entry a `vers:` range (kept as comparator intervals; upper bounds are the fixed versions) or a
 * single version. Targets without a purl or with an ecosystem Stella does not order are left out
 * with a warning; a vulnerability the publisher's analysis marks `not_affected` or
 * `false_positive` is kept as an observation but affects nothing. The record's raw text is the
 * JSON of the vulnerability with the components it references (a cut-out item, as for NVD).
 */
export function readCycloneDxVdr(
  text: string,
  options: ReadOptions & { xml?: boolean },
): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  if (byteLength(text) > MAX_VDR_BYTES) {
    collector.error('DOCUMENT_TOO_LARGE', `${options.document} is over the ${MAX_VDR_BYTES}-byte VDR limit`);
    return collector.result();
  }
  const parsedDoc = options.xml ? parseXmlBom(text) : parseJson(text);
  if (!parsedDoc.ok) {
    collector.error('MALFORMED_JSON', `${options.document}: ${parsedDoc.message}`);
    return collector.result();
  }
  const bom = bomSchema.safeParse(parsedDoc.value);
  if (!bom.success) {
    const { field, message } = firstIssue(bom.error);
    collector.error('SCHEMA_VIOLATION', `${options.document}: ${message}`, { field });
    return collector.result();
  }
  const doc = parsedDoc.value as Record<string, unknown>;
  const components = new Map<string, z.infer<typeof componentSchema>>();
  const collect = (list: unknown, path: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((item, index) => {
      if (components.size >= MAX_COMPONENTS) return;
      const c = componentSchema.safeParse(item);
      if (!c.success) {
        const issue = firstIssue(c.error, `${path}[${index}]`);
        collector.warning('SCHEMA_VIOLATION', `${options.document}: ${issue.message}; component left out`, {
          field: issue.field,
        });
        return;
      }
      if (c.data['bom-ref']) components.set(c.data['bom-ref'], c.data);
      if (isPlainObject(item)) collect(item.components, `${path}[${index}].components`);
    });
  };
  const metadata = isPlainObject(doc.metadata) ? doc.metadata : {};
  if (isPlainObject(metadata.component)) collect([metadata.component], 'metadata.component');
  collect(doc.components, 'components');

  bom.data.vulnerabilities.forEach((value, index) => {
    const at = `vulnerabilities[${index}]`;
    const hint = isPlainObject(value) && typeof value.id === 'string' ? value.id.slice(0, 100) : at;
    const parsed = vulnerabilitySchema.safeParse(value);
    if (!parsed.success) {
      const issue = firstIssue(parsed.error, at);
      collector.error('SCHEMA_VIOLATION', `VDR vulnerability ${hint}: ${issue.message}`, {
        record: hint,
        field: issue.field,
      });
      return;
    }
    const v = parsed.data;
    const referenced: Record<string, unknown> = {};
    const affected: AffectedPackage[] = [];
    const notAffected = v.analysis?.state === 'not_affected' || v.analysis?.state === 'false_positive';
    (v.affects ?? []).forEach((target, t) => {
      const field = `${at}.affects[${t}]`;
      const ref = target.ref.includes('#') ? target.ref.slice(target.ref.lastIndexOf('#') + 1) : target.ref;
      const component = components.get(ref);
      if (!component) {
        collector.warning(
          'SCHEMA_VIOLATION',
          `VDR vulnerability ${v.id}: ${field}.ref "${ref.slice(0, 100)}" names no component of the BOM; target left out`,
          {
            record: v.id,
            field: `${field}.ref`,
          },
        );
        return;
      }
      referenced[ref] = component;
      if (notAffected) return;
      if (!component.purl) {
        collector.warning(
          'UNKNOWN_ECOSYSTEM',
          `VDR vulnerability ${v.id}: component "${ref.slice(0, 100)}" has no purl (only a CPE or a name); target left out`,
          {
            record: v.id,
            field: `${field}.ref`,
          },
        );
        return;
      }
      let pkg: { ecosystem: string; name: string };
      try {
        pkg = purlPackage(component.purl);
      } catch (error) {
        if (!isMatchingError(error)) throw error;
        collector.warning(
          error.code === 'UNKNOWN_ECOSYSTEM' ? 'UNKNOWN_ECOSYSTEM' : 'SCHEMA_VIOLATION',
          `VDR vulnerability ${v.id}: ${field}: ${error.message}; target left out`,
          {
            record: v.id,
            field: `${field}.ref`,
          },
        );
        return;
      }
      const intervals: Comparator[][] = [];
      (target.versions ?? []).forEach((entry, n) => {
        const vField = `${field}.versions[${n}]`;
        const ver = versionSchema.safeParse(entry);
        if (!ver.success) {
          const issue = firstIssue(ver.error, vField);
          collector.warning('SCHEMA_VIOLATION', `VDR vulnerability ${v.id}: ${issue.message}; left out`, {
            record: v.id,
            field: issue.field,
          });
          return;
        }
        if (ver.data.status === 'unaffected' || ver.data.status === 'unknown') return;
        // A `vers:` range written in the version field (Apache's VDR does it once) is a range.
        const range =
          ver.data.range ?? (ver.data.version?.startsWith('vers:') ? ver.data.version : undefined);
        if (ver.data.version !== undefined && range === undefined) {
          if (hasControlCharacter(ver.data.version)) return;
          intervals.push([{ op: '=', version: ver.data.version }]);
          return;
        }
        if (range === undefined) return;
        const vers = parseVers(range);
        if ('error' in vers) {
          collector.warning(
            'INVALID_VERSION',
            `VDR vulnerability ${v.id}: ${vField}.range: ${vers.error}; left out`,
            { record: v.id, field: `${vField}.range` },
          );
          return;
        }
        intervals.push(...vers.intervals);
      });
      if (intervals.length === 0) {
        collector.warning(
          'INVALID_VERSION',
          `VDR vulnerability ${v.id}: ${field} states no affected version; target left out`,
          { record: v.id, field: `${field}.versions` },
        );
        return;
      }
      try {
        compileIntervals(pkg.ecosystem, intervals);
      } catch (error) {
        if (!isVersioningError(error)) throw error;
        collector.warning(
          'INVALID_VERSION',
          `VDR vulnerability ${v.id}: ${field}.versions: ${error.message}; target left out`,
          { record: v.id, field: `${field}.versions` },
        );
        return;
      }
      affected.push({
        ecosystem: pkg.ecosystem,
        name: pkg.name,
        purl: component.purl,
        intervals,
        fixedVersions: fixedOfIntervals(intervals),
      });
    });

    const cvss: CvssScore[] = [];
    for (const rating of v.ratings ?? []) {
      if (!rating.vector || !rating.method) continue;
      const vector = rating.vector.startsWith('CVSS:')
        ? rating.vector
        : rating.method === 'CVSSv4'
          ? `CVSS:4.0/${rating.vector}`
          : rating.method === 'CVSSv31'
            ? `CVSS:3.1/${rating.vector}`
            : rating.method === 'CVSSv3'
              ? `CVSS:3.0/${rating.vector}`
              : rating.method === 'CVSSv2'
                ? rating.vector
                : null;
      const score = vector ? scoreCvss(vector, rating.source?.name) : null;
      if (score && !cvss.some((c) => c.vector === score.vector)) cvss.push(score);
    }
    const severityLabel = (v.ratings ?? []).find((r) => r.severity && r.severity !== 'unknown')?.severity;
    const aliases = (v.references ?? [])
      .map((r) => r.id)
      .filter((id) => ID.test(id) && /^(CVE|GHSA|PYSEC|GO|RUSTSEC|OSV|DSA|DLA)-/.test(id) && id !== v.id);
    const raw = JSON.stringify({
      ...(bom.data.serialNumber ? { serialNumber: bom.data.serialNumber } : {}),
      ...(bom.data.version !== undefined ? { version: Number(bom.data.version) } : {}),
      vulnerability: value,
      components: referenced,
    });
    if (byteLength(raw) > max) {
      collector.error(
        'DOCUMENT_TOO_LARGE',
        `VDR vulnerability ${v.id} is over the ${max}-byte record limit`,
        { record: v.id },
      );
      return;
    }
    const details = [
      v.description,
      v.detail,
      v.recommendation,
      notAffected
        ? `Publisher's analysis: ${v.analysis?.state} (${v.analysis?.justification ?? 'no justification'}). ${v.analysis?.detail ?? ''}`.trim()
        : undefined,
    ]
      .filter((s): s is string => !!s)
      .join('\n\n');
    const advisory: Advisory = {
      id: v.id,
      source: 'cyclonedx-vdr',
      aliases: [...new Set(aliases)],
      ...(v.description ? { summary: v.description.split('\n')[0]!.slice(0, 300) } : {}),
      ...(details ? { details } : {}),
      ...(v.published ? { published: v.published } : {}),
      ...(v.updated ? { modified: v.updated } : {}),
      ...(v.rejected ? { withdrawn: v.rejected } : {}),
      cvss,
      ...(severityLabel ? { severityLabel: severityLabel.toUpperCase() } : {}),
      cwes: (v.cwes ?? []).map((c) => `CWE-${c}`),
      affected,
      references: [...(v.source?.url ? [v.source.url] : []), ...(v.advisories ?? []).map((a) => a.url)].slice(
        0,
        100,
      ),
    };
    // The key keeps one publisher's statement about a vulnerability apart from another's.
    const publisher = bom.data.serialNumber ?? options.document;
    collector.add('cyclonedx-vdr', `${publisher}#${v.id}`, raw, { kind: 'advisory', advisory });
  });
  return collector.result();
}
