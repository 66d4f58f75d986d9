import { compileAffected } from '@stella/versioning';
import { z } from 'zod';
import type { AffectedPackage, Advisory } from '../model';
import {
  byteLength,
  DEFAULT_MAX_RECORD_BYTES,
  firstIssue,
  isPlainObject,
  parseJson,
  RecordCollector,
  type ReadOptions,
} from './record';

/** Debian codenames -> the release number OSV's `Debian:<n>` ecosystem uses. */
export const DEBIAN_RELEASES: Readonly<Record<string, string>> = {
  woody: '3.0',
  sarge: '3.1',
  etch: '4.0',
  lenny: '5.0',
  squeeze: '6.0',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
};

// One release of one (package, CVE) in the tracker's JSON export (security-tracker.debian.org/tracker/data/json).
const releaseSchema = z.object({
  status: z.enum(['resolved', 'open', 'undetermined']),
  repositories: z.record(z.string(), z.string().max(256)).optional(),
  fixed_version: z.string().min(1).max(256).optional(),
  urgency: z.string().max(64).optional(),
  nodsa: z.string().max(2000).optional(),
  nodsa_reason: z.string().max(200).optional(),
});

const cveEntrySchema = z.object({
  description: z.string().max(20_000).optional(),
  scope: z.string().max(32).optional(),
  debianbug: z.number().int().optional(),
  releases: z.record(z.string(), z.unknown()),
});

const CVE_OR_TEMP = /^(CVE-\d{4}-\d{4,}|TEMP-\d{7}-[0-9A-F]{6})$/;
const PACKAGE = /^[a-z0-9][a-z0-9+.-]{0,199}$/;

/**
 * The Debian Security Tracker's JSON export: `{ <source package>: { <CVE>: { description, releases:
 * { <codename>: { status, fixed_version, urgency } } } } }`. Regrouped per CVE: one record
 * `DEBIAN-<CVE>` with an `affected` entry per (package, release), as OSV's Debian feed does.
 * `fixed_version: "0"` means the release was never affected; `open` means no fix yet.
 */
export function readDebianTrackerJson(
  text: string,
  options: ReadOptions,
): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const json = parseJson(text);
  if (!json.ok) {
    collector.error('MALFORMED_JSON', `${options.document}: ${json.message}`);
    return collector.result();
  }
  if (!isPlainObject(json.value)) {
    collector.error('SCHEMA_VIOLATION', `${options.document}: expected an object of source packages`, {
      field: '(document)',
    });
    return collector.result();
  }
  const byCve = new Map<
    string,
    {
      raw: Record<string, Record<string, unknown>>;
      entries: Array<{ pkg: string; entry: z.infer<typeof cveEntrySchema> }>;
    }
  >();
  for (const [pkg, cves] of Object.entries(json.value)) {
    if (!PACKAGE.test(pkg) || !isPlainObject(cves)) {
      collector.error(
        'SCHEMA_VIOLATION',
        `package "${pkg.slice(0, 100)}": not a Debian source package with CVE entries`,
        { field: pkg.slice(0, 200) },
      );
      continue;
    }
    for (const [cve, value] of Object.entries(cves)) {
      const field = `${pkg}.${cve.slice(0, 100)}`;
      if (!CVE_OR_TEMP.test(cve)) {
        collector.error('SCHEMA_VIOLATION', `${field}: not a CVE id`, { record: cve.slice(0, 100), field });
        continue;
      }
      const parsed = cveEntrySchema.safeParse(value);
      if (!parsed.success) {
        const issue = firstIssue(parsed.error, field);
        collector.error('SCHEMA_VIOLATION', issue.message, { record: cve, field: issue.field });
        continue;
      }
      const group = byCve.get(cve) ?? { raw: {}, entries: [] };
      group.raw[pkg] = { [cve]: value };
      group.entries.push({ pkg, entry: parsed.data });
      byCve.set(cve, group);
    }
  }
  for (const [cve, group] of byCve) {
    const affected: AffectedPackage[] = [];
    let description: string | undefined;
    for (const { pkg, entry } of group.entries) {
      description ??= entry.description;
      for (const [codename, releaseValue] of Object.entries(entry.releases)) {
        const field = `${pkg}.${cve}.releases.${codename.slice(0, 50)}`;
        const release = DEBIAN_RELEASES[codename];
        if (!release) continue; // sid/experimental have no release number to match a distro purl against
        const parsed = releaseSchema.safeParse(releaseValue);
        if (!parsed.success) {
          const issue = firstIssue(parsed.error, field);
          collector.warning('SCHEMA_VIOLATION', `${issue.message}; release left out`, {
            record: `DEBIAN-${cve}`,
            field: issue.field,
          });
          continue;
        }
        const r = parsed.data;
        if (r.status === 'resolved' && (r.fixed_version === undefined || r.fixed_version === '0')) continue;
        const ecosystem = `Debian:${release}`;
        const events =
          r.status === 'resolved'
            ? [{ introduced: '0' }, { fixed: r.fixed_version! }]
            : [{ introduced: '0' }];
        const osv = { package: { ecosystem, name: pkg }, ranges: [{ type: 'ECOSYSTEM', events }] };
        try {
          compileAffected(ecosystem, osv);
        } catch (error) {
          collector.warning(
            'INVALID_VERSION',
            `${field}.fixed_version: ${(error as Error).message}; release left out`,
            {
              record: `DEBIAN-${cve}`,
              field: `${field}.fixed_version`,
            },
          );
          continue;
        }
        affected.push({
          ecosystem,
          name: pkg,
          osv,
          fixedVersions: r.status === 'resolved' ? [r.fixed_version!] : [],
          ...(r.urgency ? { distroSeverity: r.urgency } : {}),
        });
      }
    }
    const raw = JSON.stringify(group.raw);
    const id = `DEBIAN-${cve}`;
    if (byteLength(raw) > max) {
      collector.error('DOCUMENT_TOO_LARGE', `${id} is over the ${max}-byte record limit`, { record: id });
      continue;
    }
    const advisory: Advisory = {
      id,
      source: 'debian',
      aliases: [cve],
      ...(description !== undefined ? { summary: description.slice(0, 1000) } : {}),
      cvss: [],
      cwes: [],
      affected,
      references: [`https://security-tracker.debian.org/tracker/${cve}`],
    };
    collector.add('debian', id, raw, { kind: 'advisory', advisory });
  }
  return collector.result();
}
