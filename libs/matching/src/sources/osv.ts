import {
  compileAffected,
  isVersioningError,
  MAX_VERSION_LENGTH,
  resolveEcosystem,
  type OsvAffected,
} from '@stella/versioning';
import { z } from 'zod';
import { scoreCvss } from '../cvss';
import type { AffectedPackage, Advisory, CvssScore, SourceId } from '../model';
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
const shortText = (max: number) => z.string().max(max);

/** The OSV fields Stella reads, checked strictly; everything else is kept in the raw document only. */
const osvRecordSchema = z.object({
  schema_version: z.string().max(32).optional(),
  id: z.string().regex(ID, { error: 'expected an OSV id such as GHSA-xxxx-xxxx-xxxx or PYSEC-2021-1' }),
  modified: shortText(64),
  published: shortText(64).optional(),
  withdrawn: shortText(64).optional(),
  aliases: z.array(z.string().max(200)).max(1000).optional(),
  upstream: z.array(z.string().max(200)).max(1000).optional(),
  related: z.array(z.string().max(200)).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z
    .array(z.object({ type: z.string().max(32), score: z.string().max(512) }))
    .max(50)
    .optional(),
  affected: z.array(z.unknown()).max(10_000).optional(),
  references: z
    .array(z.object({ type: z.string().max(32).optional(), url: z.string().max(4096) }))
    .optional(),
  database_specific: z.unknown().optional(),
});

const affectedShape = z.object({
  package: z.object({
    ecosystem: z.string().min(1).max(200),
    name: z.string().min(1).max(1000),
    purl: z.string().max(2000).optional(),
  }),
  ranges: z.array(z.unknown()).optional(),
  versions: z.array(z.unknown()).optional(),
  ecosystem_specific: z.unknown().optional(),
  database_specific: z.unknown().optional(),
  severity: z.unknown().optional(),
});

export interface OsvReadOptions extends ReadOptions {
  /** `ghsa` additionally requires GHSA ids; default `osv`. */
  readonly source?: Extract<SourceId, 'osv' | 'ghsa'>;
}

/**
 * Normalises one OSV record (already parsed JSON). Affected entries with an unknown ecosystem or
 * unusable ranges are left out with a warning; the record itself is refused only when its own
 * fields break the schema.
 */
export function normaliseOsvRecord(
  value: unknown,
  collector: RecordCollector,
  at: { record: string },
  source: Extract<SourceId, 'osv' | 'ghsa'> = 'osv',
): Advisory | null {
  const parsed = osvRecordSchema.safeParse(value);
  const idHint = isPlainObject(value) && typeof value.id === 'string' ? value.id.slice(0, 200) : at.record;
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    collector.error('SCHEMA_VIOLATION', `OSV record ${idHint}: ${message}`, { record: idHint, field });
    return null;
  }
  const record = parsed.data;
  if (source === 'ghsa' && !record.id.startsWith('GHSA-')) {
    collector.error('SCHEMA_VIOLATION', `GHSA record ${record.id}: id is not a GHSA id`, {
      record: record.id,
      field: 'id',
    });
    return null;
  }

  const affected: AffectedPackage[] = [];
  (record.affected ?? []).forEach((entry, index) => {
    const field = `affected[${index}]`;
    const shape = affectedShape.safeParse(entry);
    if (!shape.success) {
      const issue = firstIssue(shape.error, field);
      collector.warning('SCHEMA_VIOLATION', `OSV record ${record.id}: ${issue.message}; entry left out`, {
        record: record.id,
        field: issue.field,
      });
      return;
    }
    const pkg = shape.data.package;
    try {
      resolveEcosystem(pkg.ecosystem);
    } catch (error) {
      if (!isVersioningError(error)) throw error;
      collector.warning(
        'UNKNOWN_ECOSYSTEM',
        `OSV record ${record.id}: unknown ecosystem "${pkg.ecosystem.slice(0, 100)}"; entry left out`,
        {
          record: record.id,
          field: `${field}.package.ecosystem`,
        },
      );
      return;
    }
    const osv = entry as OsvAffected;
    const absurd = absurdVersionField(osv);
    if (absurd) {
      collector.warning(
        'INVALID_VERSION',
        `OSV record ${record.id}: ${field}.${absurd}: not a plausible version (over ${MAX_VERSION_LENGTH} characters or control characters); entry left out`,
        {
          record: record.id,
          field: `${field}.${absurd}`,
        },
      );
      return;
    }
    try {
      compileAffected(pkg.ecosystem, osv);
    } catch (error) {
      if (!isVersioningError(error)) throw error;
      collector.warning(
        error.code === 'INVALID_INPUT' ? 'INVALID_VERSION' : 'SCHEMA_VIOLATION',
        `OSV record ${record.id}: ${field}: ${error.message}; entry left out`,
        { record: record.id, field: `${field}.ranges` },
      );
      return;
    }
    affected.push({
      ecosystem: pkg.ecosystem,
      name: pkg.name,
      ...(pkg.purl ? { purl: pkg.purl } : {}),
      osv: {
        package: pkg,
        ...(osv.ranges ? { ranges: osv.ranges } : {}),
        ...(osv.versions ? { versions: osv.versions } : {}),
      },
      fixedVersions: fixedVersionsOf(osv),
      ...distroSeverityOf(shape.data),
    });
  });

  const cvss: CvssScore[] = [];
  for (const [index, severity] of (record.severity ?? []).entries()) {
    if (!severity.type.startsWith('CVSS_')) continue;
    const score = scoreCvss(severity.score);
    if (score) cvss.push(score);
    else
      collector.warning(
        'SCHEMA_VIOLATION',
        `OSV record ${record.id}: severity[${index}].score is not a CVSS vector`,
        {
          record: record.id,
          field: `severity[${index}].score`,
        },
      );
  }

  const dbSpecific = isPlainObject(record.database_specific) ? record.database_specific : {};
  const severityLabel =
    typeof dbSpecific.severity === 'string' ? dbSpecific.severity.slice(0, 32) : undefined;
  const cwes = Array.isArray(dbSpecific.cwe_ids)
    ? dbSpecific.cwe_ids.filter((c): c is string => typeof c === 'string' && /^CWE-\d{1,6}$/.test(c))
    : [];
  const aliases: string[] = [];
  for (const [field, list] of [
    ['aliases', record.aliases],
    ['upstream', record.upstream],
  ] as const) {
    (list ?? []).forEach((alias, index) => {
      if (!ID.test(alias)) {
        collector.warning(
          'SCHEMA_VIOLATION',
          `OSV record ${record.id}: ${field}[${index}] ${JSON.stringify(alias.slice(0, 50))} is not an id; left out`,
          {
            record: record.id,
            field: `${field}[${index}]`,
          },
        );
      } else if (alias !== record.id && !aliases.includes(alias)) aliases.push(alias);
    });
  }

  return {
    id: record.id,
    source,
    aliases,
    ...(record.summary !== undefined ? { summary: record.summary.slice(0, 1000) } : {}),
    ...(record.details !== undefined ? { details: record.details.slice(0, 20_000) } : {}),
    ...(record.published !== undefined ? { published: record.published } : {}),
    modified: record.modified,
    ...(record.withdrawn !== undefined ? { withdrawn: record.withdrawn } : {}),
    cvss,
    ...(severityLabel ? { severityLabel } : {}),
    cwes,
    affected,
    references: (record.references ?? []).slice(0, 100).map((r) => r.url),
  };
}

/** Path of the first event or listed version that no ecosystem could parse (too long, control characters). */
function absurdVersionField(osv: OsvAffected): string | null {
  const ranges = Array.isArray(osv.ranges) ? osv.ranges : [];
  for (const [r, range] of ranges.entries()) {
    const events: unknown[] = Array.isArray(range?.events) ? range.events : [];
    for (const [e, event] of events.entries()) {
      if (!isPlainObject(event)) continue;
      for (const [kind, value] of Object.entries(event)) {
        if (typeof value === 'string' && (value.length > MAX_VERSION_LENGTH || hasControlCharacter(value)))
          return `ranges[${r}].events[${e}].${kind}`;
      }
    }
  }
  const versions: unknown[] = Array.isArray(osv.versions) ? osv.versions : [];
  for (const [v, value] of versions.entries())
    if (typeof value === 'string' && (value.length > MAX_VERSION_LENGTH || hasControlCharacter(value)))
      return `versions[${v}]`;
  return null;
}

function fixedVersionsOf(osv: OsvAffected): string[] {
  const fixed: string[] = [];
  for (const range of osv.ranges ?? []) {
    if (range.type === 'GIT') continue;
    for (const event of range.events)
      if (event.fixed !== undefined && !fixed.includes(event.fixed)) fixed.push(event.fixed);
  }
  return fixed;
}

function distroSeverityOf(entry: { ecosystem_specific?: unknown; database_specific?: unknown }): {
  distroSeverity?: string;
} {
  for (const bag of [entry.ecosystem_specific, entry.database_specific]) {
    if (isPlainObject(bag)) {
      const value = bag.urgency ?? bag.severity;
      if (typeof value === 'string' && value.length <= 64) return { distroSeverity: value };
    }
  }
  return {};
}

function addOsvValue(
  value: unknown,
  raw: string,
  collector: RecordCollector,
  record: string,
  source: 'osv' | 'ghsa',
): void {
  const advisory = normaliseOsvRecord(value, collector, { record }, source);
  if (advisory) collector.add(source, advisory.id, raw, { kind: 'advisory', advisory });
}

/** OSV JSON-lines: one record per line; blank lines are skipped; each line is its own document. */
export function readOsvJsonLines(
  text: string,
  options: OsvReadOptions,
): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const source = options.source ?? 'osv';
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const lines = text.split('\n');
  lines.forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    const record = `line ${index + 1}`;
    if (byteLength(line) > max) {
      collector.error(
        'DOCUMENT_TOO_LARGE',
        `${record} is ${byteLength(line)} bytes, over the ${max}-byte record limit`,
        { record },
      );
      return;
    }
    const json = parseJson(line);
    if (!json.ok) {
      collector.error('MALFORMED_JSON', `${record}: ${json.message}`, { record });
      return;
    }
    addOsvValue(json.value, line, collector, record, source);
  });
  return collector.result();
}

/** A single OSV JSON document: one record, or an array of records (each stored on its own). */
export function readOsvJson(text: string, options: OsvReadOptions): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const source = options.source ?? 'osv';
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const json = parseJson(text);
  if (!json.ok) {
    collector.error('MALFORMED_JSON', `${options.document}: ${json.message}`);
    return collector.result();
  }
  if (Array.isArray(json.value)) {
    json.value.forEach((item, index) => {
      const raw = JSON.stringify(item);
      if (byteLength(raw) > max) {
        collector.error('DOCUMENT_TOO_LARGE', `[${index}] is over the ${max}-byte record limit`, {
          record: `[${index}]`,
        });
        return;
      }
      addOsvValue(item, raw, collector, `[${index}]`, source);
    });
  } else {
    if (byteLength(text) > max) {
      collector.error('DOCUMENT_TOO_LARGE', `${options.document} is over the ${max}-byte record limit`);
      return collector.result();
    }
    addOsvValue(json.value, text, collector, options.document, source);
  }
  return collector.result();
}
