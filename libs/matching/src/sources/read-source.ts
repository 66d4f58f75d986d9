import { gunzipSync } from 'node:zlib';
import { MatchingError, type RecordIssue } from '../errors';
import { SOURCE_IDS, type ReadResult, type SourceId, type SourceRecord } from '../model';
import { DEFAULT_ARCHIVE_LIMITS, readZipEntries, type ArchiveLimits } from './archive';
import { looksLikeCycloneDxVdr, looksLikeCycloneDxXml, readCycloneDxVdr } from './cyclonedx-vdr';
import { readDebianList } from './debian-list';
import { readDebianTrackerJson } from './debian-tracker';
import { looksLikeGhsaApi, readGhsaApi } from './ghsa-api';
import { readEpssCsv } from './epss';
import { readKevJson } from './kev';
import { readNpmLegacyJsonLines } from './npm-legacy';
import { readNvdJson } from './nvd';
import { readOsvJson, readOsvJsonLines } from './osv';

export type SourceSelector = SourceId | 'auto';

/** A Debian security tracker list starts with an advisory header: `[24 Oct 2023] DSA-5532-1 …`. */
const DEBIAN_LIST_HEAD = /^\[\d{1,2} [A-Z][a-z]{2} \d{4}\] (DSA|DLA|DTSA|ELA)-\d/;

export interface ReadSourceOptions {
  /** Largest single record, bytes (KEV and EPSS files are one record and have their own limits). */
  readonly maxRecordBytes?: number;
  readonly archive?: Partial<ArchiveLimits>;
}

export function isSourceId(value: string): value is SourceId {
  return (SOURCE_IDS as readonly string[]).includes(value);
}

/** Guesses a file's connector from its name and first bytes; undefined when nothing fits. */
export function detectSource(name: string, head: string): SourceId | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return head.startsWith('#model_version:') ? 'epss' : undefined;
  const start = head.slice(0, 4096);
  if (DEBIAN_LIST_HEAD.test(start.replace(/^\uFEFF/, ''))) return 'debian-list';
  if (lower.endsWith('.xml')) return looksLikeCycloneDxXml(start) ? 'cyclonedx-vdr' : undefined;
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) {
    if (/"module_name"\s*:/.test(start) && /"vulnerable_versions"\s*:/.test(start)) return 'npm-legacy';
    if (looksLikeGhsaApi(start)) return 'ghsa-api';
    return /"id"\s*:/.test(start) ? 'osv' : undefined;
  }
  if (!lower.endsWith('.json')) return undefined;
  if (looksLikeGhsaApi(start)) return 'ghsa-api';
  if (looksLikeCycloneDxVdr(head)) return 'cyclonedx-vdr';
  if (/"catalogVersion"\s*:/.test(start) && /"vulnerabilities"\s*:/.test(start)) return 'kev';
  if (/"format"\s*:\s*"NVD_CVE"/.test(start) || /"vulnerabilities"\s*:\s*\[\s*\{\s*"cve"\s*:/.test(start))
    return 'nvd';
  if (/^\s*\{\s*"[a-z0-9][a-z0-9+.-]*"\s*:\s*\{\s*"(CVE|TEMP)-/.test(start)) return 'debian';
  if (/"id"\s*:/.test(start) && /"modified"\s*:/.test(head)) return 'osv';
  return undefined;
}

/**
 * Reads one file's bytes with the given connector (or the detected one). `.gz` is inflated
 * (bounded), `.zip` is read entry by entry (OSV's per-ecosystem `all.zip`, or a mirror of files).
 * Never throws for bad content: every problem is an issue naming the document.
 */
export async function readSourceFile(
  source: SourceSelector,
  name: string,
  bytes: Buffer,
  options: ReadSourceOptions = {},
): Promise<ReadResult> {
  const limits: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS, ...options.archive };
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip')) {
    let entries;
    try {
      entries = await readZipEntries(bytes, name, limits);
    } catch (error) {
      return { records: [], issues: [issueOf(error, name)] };
    }
    const records: SourceRecord[] = [];
    const issues: RecordIssue[] = [];
    for (const entry of entries) {
      const document = `${name}!${entry.name}`;
      if ('refused' in entry) {
        issues.push({ level: 'error', code: entry.refused.code, document, message: entry.refused.message });
        continue;
      }
      if (entry.name.toLowerCase().endsWith('.zip')) {
        issues.push({
          level: 'error',
          code: 'UNSAFE_ARCHIVE',
          document,
          message: `${document}: archives inside archives are refused`,
        });
        continue;
      }
      const result = await readSourceFile(source, document, entry.bytes, options);
      records.push(...result.records);
      issues.push(...result.issues);
    }
    return { records, issues };
  }
  if (lower.endsWith('.gz')) {
    let inflated: Buffer;
    try {
      inflated = gunzipSync(bytes, { maxOutputLength: limits.maxEntryBytes * 16 });
    } catch (error) {
      return {
        records: [],
        issues: [
          {
            level: 'error',
            code: 'UNSAFE_ARCHIVE',
            document: name,
            message: `${name}: cannot inflate within ${limits.maxEntryBytes * 16} bytes: ${(error as Error).message}`,
          },
        ],
      };
    }
    return readSourceFile(source, name.slice(0, -3), inflated, options);
  }
  const text = bytes.toString('utf8');
  const resolved = source === 'auto' ? detectSource(name, text.slice(0, 65_536)) : source;
  if (!resolved) {
    return {
      records: [],
      issues: [
        {
          level: 'error',
          code: 'UNKNOWN_FORMAT',
          document: name,
          message: `${name}: not a recognised advisory format (OSV JSON/JSON-lines, GHSA API JSON, NVD 2.0, KEV, EPSS CSV, Debian tracker JSON or DSA/DLA list, legacy npm, CycloneDX VDR)`,
        },
      ],
    };
  }
  return readSourceText(resolved, name, text, options, source === 'auto');
}

/** Reads text with a known connector; `.jsonl` names select the line-oriented reader. */
export function readSourceText(
  source: SourceId,
  name: string,
  text: string,
  options: ReadSourceOptions = {},
  labelGhsaById = false,
): ReadResult {
  const lines = /\.(jsonl|ndjson)$/i.test(name);
  const common = {
    document: name,
    ...(options.maxRecordBytes !== undefined ? { maxRecordBytes: options.maxRecordBytes } : {}),
  };
  switch (source) {
    case 'osv':
    case 'ghsa': {
      const result = lines
        ? readOsvJsonLines(text, { ...common, source })
        : readOsvJson(text, { ...common, source });
      // Auto-detected OSV files mix GHSA and other records (npm.osv.jsonl): label each by its id.
      if (labelGhsaById) return { ...result, records: result.records.map(relabelGhsa) };
      return result;
    }
    case 'debian':
      return readDebianTrackerJson(text, common);
    case 'nvd':
      return readNvdJson(text, common);
    case 'kev':
      return readKevJson(text, { document: name });
    case 'epss':
      return readEpssCsv(text, { document: name });
    case 'npm-legacy':
      return readNpmLegacyJsonLines(text, common);
    case 'debian-list':
      return readDebianList(text, common);
    case 'ghsa-api':
      return readGhsaApi(text, { ...common, lines });
    case 'cyclonedx-vdr':
      return readCycloneDxVdr(text, {
        ...common,
        xml: /\.xml$/i.test(name) || text.trimStart().startsWith('<'),
      });
  }
}

function relabelGhsa(record: SourceRecord): SourceRecord {
  if (record.source !== 'osv' || !record.key.startsWith('GHSA-') || record.content.kind !== 'advisory')
    return record;
  return {
    ...record,
    source: 'ghsa',
    content: { kind: 'advisory', advisory: { ...record.content.advisory, source: 'ghsa' } },
  };
}

function issueOf(error: unknown, document: string): RecordIssue {
  if (error instanceof MatchingError)
    return { level: 'error', code: error.code, document, message: error.message };
  return {
    level: 'error',
    code: 'UNREADABLE_FILE',
    document,
    message: `${document}: ${(error as Error).message}`,
  };
}
