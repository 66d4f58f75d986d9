import { satisfies, isVersioningError } from '@stella/versioning';
import { z } from 'zod';
import { scoreCvss } from '../cvss';
import type { Advisory } from '../model';
import {
  byteLength,
  DEFAULT_MAX_RECORD_BYTES,
  firstIssue,
  isPlainObject,
  parseJson,
  RecordCollector,
  type ReadOptions,
} from './record';

const CVE = /^CVE-\d{4}-\d{4,}$/;

// The Node.js Security WG's ecosystem advisory format (vuln/npm/<id>.json), the pre-GHSA npm data.
const legacySchema = z.object({
  id: z.number().int().min(1),
  title: z.string().max(1000),
  overview: z.string().max(50_000).optional(),
  module_name: z
    .string()
    .regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i)
    .max(214),
  cves: z.array(z.string().max(64)).default([]),
  vulnerable_versions: z.string().min(1).max(1000),
  patched_versions: z.string().max(1000).nullish(),
  publish_date: z.string().max(64).optional(),
  updated_at: z.string().max(64).optional(),
  references: z.array(z.string()).nullish(),
  cvss_vector: z.string().max(512).nullish(),
});

/** Lower bounds of a patched range (`>=4.17.19`, `^3.0.1 || >=4.1.0`): the versions that fix it. */
function fixedFrom(patched: string | null | undefined): string[] {
  if (!patched) return [];
  const out: string[] = [];
  for (const alternative of patched.split('||')) {
    const match = /(?:>=|\^|~)\s*v?(\d+\.\d+\.\d+[^\s]*)/.exec(alternative);
    if (match && !out.includes(match[1]!)) out.push(match[1]!);
  }
  return out;
}

/** JSON-lines of legacy npm advisories; ids become `NSWG-ECO-<id>`. */
export function readNpmLegacyJsonLines(
  text: string,
  options: ReadOptions,
): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const position = `line ${index + 1}`;
    if (byteLength(line) > max) {
      collector.error('DOCUMENT_TOO_LARGE', `${position} is over the ${max}-byte record limit`, {
        record: position,
      });
      return;
    }
    const json = parseJson(line);
    if (!json.ok) {
      collector.error('MALFORMED_JSON', `${position}: ${json.message}`, { record: position });
      return;
    }
    const parsed = legacySchema.safeParse(json.value);
    const record =
      isPlainObject(json.value) && typeof json.value.id === 'number' ? `NSWG-ECO-${json.value.id}` : position;
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      collector.error('SCHEMA_VIOLATION', `${record}: ${issue.message}`, { record, field: issue.field });
      return;
    }
    const a = parsed.data;
    try {
      // Validates the range once; matching calls satisfies() again per component version.
      satisfies('npm', '0.0.0', a.vulnerable_versions, { includePrerelease: true });
    } catch (error) {
      if (!isVersioningError(error)) throw error;
      collector.error('SCHEMA_VIOLATION', `${record}: vulnerable_versions: ${error.message}`, {
        record,
        field: 'vulnerable_versions',
      });
      return;
    }
    const cves = a.cves.filter((cve, index) => {
      if (CVE.test(cve)) return true;
      collector.warning(
        'SCHEMA_VIOLATION',
        `${record}: cves[${index}] ${JSON.stringify(cve)} is not a CVE id; left out`,
        { record, field: `cves[${index}]` },
      );
      return false;
    });
    const cvss = a.cvss_vector ? scoreCvss(a.cvss_vector) : null;
    const advisory: Advisory = {
      id: record,
      source: 'npm-legacy',
      aliases: cves,
      summary: a.title,
      ...(a.overview !== undefined ? { details: a.overview } : {}),
      ...(a.publish_date !== undefined ? { published: a.publish_date } : {}),
      ...(a.updated_at !== undefined ? { modified: a.updated_at } : {}),
      cvss: cvss ? [cvss] : [],
      cwes: [],
      affected: [
        {
          ecosystem: 'npm',
          name: a.module_name,
          nativeRange: a.vulnerable_versions,
          fixedVersions: fixedFrom(a.patched_versions),
        },
      ],
      references: (a.references ?? []).slice(0, 100),
    };
    collector.add('npm-legacy', record, line, { kind: 'advisory', advisory });
  });
  return collector.result();
}
