import { z } from 'zod';
import { scoreCvss } from '../cvss';
import type { Advisory, CvssScore } from '../model';
import {
  byteLength,
  DEFAULT_MAX_RECORD_BYTES,
  firstIssue,
  isPlainObject,
  parseJson,
  RecordCollector,
  type ReadOptions,
} from './record';

const metricSchema = z.object({
  source: z.string().max(200).optional(),
  type: z.string().max(32).optional(),
  cvssData: z.object({ version: z.string().max(8), vectorString: z.string().max(512) }).loose(),
});

// The fields of an NVD CVE API 2.0 `vulnerabilities[].cve` object that Stella reads.
const cveSchema = z.object({
  id: z.string().regex(/^CVE-\d{4}-\d{4,}$/),
  sourceIdentifier: z.string().max(200).optional(),
  published: z.string().max(64),
  lastModified: z.string().max(64),
  vulnStatus: z.string().max(64).optional(),
  descriptions: z.array(z.object({ lang: z.string().max(16), value: z.string() })).default([]),
  metrics: z
    .object({
      cvssMetricV40: z.array(metricSchema).optional(),
      cvssMetricV31: z.array(metricSchema).optional(),
      cvssMetricV30: z.array(metricSchema).optional(),
      cvssMetricV2: z.array(metricSchema).optional(),
    })
    .loose()
    .optional(),
  weaknesses: z
    .array(
      z.object({
        source: z.string().optional(),
        type: z.string().optional(),
        description: z.array(z.object({ lang: z.string(), value: z.string().max(64) })),
      }),
    )
    .optional(),
  references: z.array(z.object({ url: z.string().max(4096) }).loose()).optional(),
});

/**
 * An NVD CVE API 2.0 response (`format: "NVD_CVE"`, `vulnerabilities[].cve`). Each CVE becomes
 * its own record (raw = the JSON of its `vulnerabilities[]` item): CVSS v2/v3.x/v4 vectors with their
 * scorer, CWE ids and the English description. CPE configurations are kept in the raw record
 * but not matched: components are matched by purl against OSV-style package data.
 */
export function readNvdJson(text: string, options: ReadOptions): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const json = parseJson(text);
  if (!json.ok) {
    collector.error('MALFORMED_JSON', `${options.document}: ${json.message}`);
    return collector.result();
  }
  const body = json.value;
  if (!isPlainObject(body) || !Array.isArray(body.vulnerabilities)) {
    collector.error(
      'SCHEMA_VIOLATION',
      `${options.document}: vulnerabilities: expected an array (NVD CVE API 2.0 response)`,
      { field: 'vulnerabilities' },
    );
    return collector.result();
  }
  if (body.format !== undefined && body.format !== 'NVD_CVE') {
    collector.error(
      'SCHEMA_VIOLATION',
      `${options.document}: format: expected "NVD_CVE", got ${JSON.stringify(body.format).slice(0, 50)}`,
      { field: 'format' },
    );
    return collector.result();
  }
  body.vulnerabilities.forEach((item: unknown, index: number) => {
    const position = `vulnerabilities[${index}]`;
    const cveValue = isPlainObject(item) ? item.cve : undefined;
    const parsed = cveSchema.safeParse(cveValue);
    if (!parsed.success) {
      const record =
        isPlainObject(cveValue) && typeof cveValue.id === 'string' ? cveValue.id.slice(0, 50) : position;
      const issue = firstIssue(parsed.error, `${position}.cve`);
      collector.error('SCHEMA_VIOLATION', issue.message, { record, field: issue.field });
      return;
    }
    const cve = parsed.data;
    const raw = JSON.stringify(item);
    if (byteLength(raw) > max) {
      collector.error('DOCUMENT_TOO_LARGE', `${cve.id} is over the ${max}-byte record limit`, {
        record: cve.id,
      });
      return;
    }
    const cvss: CvssScore[] = [];
    const metrics = cve.metrics ?? {};
    for (const key of ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2'] as const) {
      for (const metric of metrics[key] ?? []) {
        const score = scoreCvss(metric.cvssData.vectorString, metric.source);
        if (score) cvss.push(score);
        else
          collector.warning('SCHEMA_VIOLATION', `${cve.id}: ${key}: not a CVSS vector`, {
            record: cve.id,
            field: `${position}.cve.metrics.${key}`,
          });
      }
    }
    const cwes = [
      ...new Set(
        (cve.weaknesses ?? [])
          .flatMap((w) => w.description.map((d) => d.value))
          .filter((v) => /^CWE-\d{1,6}$/.test(v)),
      ),
    ];
    const description = cve.descriptions.find((d) => d.lang === 'en')?.value;
    const advisory: Advisory = {
      id: cve.id,
      source: 'nvd',
      aliases: [],
      ...(description !== undefined
        ? { summary: description.slice(0, 1000), details: description.slice(0, 20_000) }
        : {}),
      published: cve.published,
      modified: cve.lastModified,
      ...(cve.vulnStatus === 'Rejected' ? { withdrawn: cve.lastModified } : {}),
      cvss,
      cwes,
      affected: [],
      references: (cve.references ?? []).slice(0, 100).map((r) => r.url),
    };
    collector.add('nvd', cve.id, raw, { kind: 'advisory', advisory });
  });
  return collector.result();
}
