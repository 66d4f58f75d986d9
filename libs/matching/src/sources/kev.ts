import { z } from 'zod';
import type { KevEntry } from '../model';
import {
  byteLength,
  firstIssue,
  isPlainObject,
  parseJson,
  RecordCollector,
  type ReadOptions,
} from './record';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const entrySchema = z.object({
  cveID: z.string().regex(/^CVE-\d{4}-\d{4,}$/),
  vendorProject: z.string().max(500),
  product: z.string().max(500),
  vulnerabilityName: z.string().max(2000),
  dateAdded: z.string().regex(DATE),
  shortDescription: z.string().max(20_000).optional(),
  requiredAction: z.string().max(5000),
  dueDate: z.string().regex(DATE),
  knownRansomwareCampaignUse: z.string().max(32).default('Unknown'),
  notes: z.string().optional(),
  cwes: z.array(z.string()).optional(),
});

const catalogueSchema = z.object({
  title: z.string().max(500).optional(),
  catalogVersion: z.string().min(1).max(64),
  dateReleased: z.string().max(64),
  count: z.number().int().min(0).optional(),
  vulnerabilities: z.array(z.unknown()),
});

/** Whole-catalogue records are large (about 1.5 MB today); refused past this. */
export const DEFAULT_MAX_KEV_BYTES = 64 * 1024 * 1024;

/**
 * CISA's Known Exploited Vulnerabilities catalogue (known_exploited_vulnerabilities.json). The
 * catalogue is one record (key `kev`): a newer catalogue supersedes the previous one as a whole.
 * Entries that break the format are left out with a warning naming the entry.
 */
export function readKevJson(text: string, options: ReadOptions): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const max = options.maxRecordBytes ?? DEFAULT_MAX_KEV_BYTES;
  if (byteLength(text) > max) {
    collector.error('DOCUMENT_TOO_LARGE', `${options.document} is over the ${max}-byte limit`);
    return collector.result();
  }
  const json = parseJson(text);
  if (!json.ok) {
    collector.error('MALFORMED_JSON', `${options.document}: ${json.message}`);
    return collector.result();
  }
  const parsed = catalogueSchema.safeParse(json.value);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error);
    collector.error('SCHEMA_VIOLATION', `KEV catalogue: ${issue.message}`, {
      record: 'kev',
      field: issue.field,
    });
    return collector.result();
  }
  const entries: KevEntry[] = [];
  parsed.data.vulnerabilities.forEach((value, index) => {
    const entry = entrySchema.safeParse(value);
    if (!entry.success) {
      const issue = firstIssue(entry.error, `vulnerabilities[${index}]`);
      const record =
        isPlainObject(value) && typeof value.cveID === 'string'
          ? value.cveID.slice(0, 50)
          : `vulnerabilities[${index}]`;
      collector.warning('SCHEMA_VIOLATION', `KEV entry ${record}: ${issue.message}; entry left out`, {
        record,
        field: issue.field,
      });
      return;
    }
    const e = entry.data;
    entries.push({
      cveId: e.cveID,
      vendorProject: e.vendorProject,
      product: e.product,
      vulnerabilityName: e.vulnerabilityName,
      dateAdded: e.dateAdded,
      dueDate: e.dueDate,
      requiredAction: e.requiredAction,
      knownRansomwareCampaignUse: e.knownRansomwareCampaignUse,
    });
  });
  collector.add('kev', 'kev', text, {
    kind: 'kev',
    catalogVersion: parsed.data.catalogVersion,
    dateReleased: parsed.data.dateReleased,
    entries,
  });
  return collector.result();
}
