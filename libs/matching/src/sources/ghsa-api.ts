import { isVersioningError, MAX_VERSION_LENGTH, resolveEcosystem } from '@stella/versioning';
import { z } from 'zod';
import { scoreCvss } from '../cvss';
import { compileIntervals, parseGithubRange } from '../match/intervals';
import type { AffectedPackage, Advisory, CvssScore } from '../model';
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

const GHSA_ID = /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/;
const ALIAS = /^[A-Za-z][A-Za-z0-9._:+-]{0,199}$/;

/** GitHub's ecosystem names (REST lower-case, GraphQL upper-case) -> OSV ecosystems. */
const ECOSYSTEMS: Readonly<Record<string, string>> = {
  npm: 'npm',
  pip: 'PyPI',
  maven: 'Maven',
  nuget: 'NuGet',
  rubygems: 'RubyGems',
  go: 'Go',
  rust: 'crates.io',
  composer: 'Packagist',
  erlang: 'Hex',
  pub: 'Pub',
  swift: 'SwiftURL',
  actions: 'GitHub Actions',
};

const text = (max: number) => z.string().max(max);
const cvssShape = z
  .object({
    vector_string: text(512).nullish(),
    vectorString: text(512).nullish(),
    score: z.number().nullish(),
  })
  .nullish();

const vulnerabilitySchema = z.object({
  package: z.object({ ecosystem: text(64).min(1), name: text(1000).min(1) }).nullable(),
  vulnerable_version_range: text(1000).nullish(),
  vulnerableVersionRange: text(1000).nullish(),
  // A string in today's REST API; `{identifier}` in older answers and in GraphQL.
  first_patched_version: z
    .union([text(MAX_VERSION_LENGTH), z.object({ identifier: text(MAX_VERSION_LENGTH) })])
    .nullish(),
  firstPatchedVersion: z.object({ identifier: text(MAX_VERSION_LENGTH) }).nullish(),
  vulnerable_functions: z.array(text(1000)).max(1000).nullish(),
});

/**
 * One advisory of GitHub's REST API (`GET /advisories`, `GET /advisories/{ghsa_id}`: snake_case) or
 * of its GraphQL API (`securityAdvisory` nodes: camelCase, lists under `nodes`). Only the fields
 * Stella reads are checked; the raw record keeps everything.
 */
const advisorySchema = z.object({
  ghsa_id: z.string().regex(GHSA_ID).optional(),
  ghsaId: z.string().regex(GHSA_ID).optional(),
  cve_id: z.string().max(64).nullish(),
  summary: text(2000).nullish(),
  description: text(200_000).nullish(),
  type: text(32).optional(),
  severity: text(32).nullish(),
  identifiers: z
    .array(z.object({ type: text(32).optional(), value: text(200) }))
    .max(100)
    .nullish(),
  references: z
    .array(z.union([text(4096), z.object({ url: text(4096) })]))
    .max(1000)
    .nullish(),
  published_at: text(64).nullish(),
  publishedAt: text(64).nullish(),
  updated_at: text(64).nullish(),
  updatedAt: text(64).nullish(),
  withdrawn_at: text(64).nullish(),
  withdrawnAt: text(64).nullish(),
  cvss: cvssShape,
  cvss_severities: z.object({ cvss_v3: cvssShape, cvss_v4: cvssShape }).nullish(),
  cvssSeverities: z.object({ cvssV3: cvssShape, cvssV4: cvssShape }).nullish(),
  cwes: z
    .union([
      z.array(z.object({ cwe_id: text(16) })).max(200),
      z.object({ nodes: z.array(z.object({ cweId: text(16) })).max(200) }),
    ])
    .nullish(),
  vulnerabilities: z
    .union([z.array(z.unknown()).max(10_000), z.object({ nodes: z.array(z.unknown()).max(10_000) })])
    .nullish(),
});

/** True when a file looks like GitHub's advisory API (REST or GraphQL) rather than OSV. */
export function looksLikeGhsaApi(head: string): boolean {
  return (
    /"(ghsa_id|ghsaId)"\s*:/.test(head) &&
    /"(vulnerable_version_range|vulnerableVersionRange|vulnerabilities)"\s*:/.test(head)
  );
}

/**
 * GitHub Security Advisories in GitHub's own API format: a single advisory, the array the REST
 * list endpoint returns, a GraphQL `{data: {securityAdvisories: {nodes}}}` answer, or JSON-lines.
 * Each vulnerability becomes an `affected` entry whose `vulnerable_version_range` is kept as an
 * interval of comparators (GitHub's `> 11.6` has no exact OSV form) and whose fixed version is
 * `first_patched_version`.
 */
export function readGhsaApi(
  text: string,
  options: ReadOptions & { lines?: boolean },
): ReturnType<RecordCollector['result']> {
  const collector = new RecordCollector(options.document);
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const items: Array<{ value: unknown; raw: string; at: string }> = [];
  if (options.lines) {
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      const at = `line ${index + 1}`;
      if (byteLength(line) > max) {
        collector.error('DOCUMENT_TOO_LARGE', `${at} is over the ${max}-byte record limit`, { record: at });
        return;
      }
      const json = parseJson(line);
      if (!json.ok) collector.error('MALFORMED_JSON', `${at}: ${json.message}`, { record: at });
      else items.push({ value: json.value, raw: line, at });
    });
  } else {
    const json = parseJson(text);
    if (!json.ok) {
      collector.error('MALFORMED_JSON', `${options.document}: ${json.message}`);
      return collector.result();
    }
    let list: unknown[] | null = null;
    const value = json.value;
    if (Array.isArray(value)) list = value;
    else if (isPlainObject(value) && isPlainObject(value.data)) {
      const nodes = Object.values(value.data).find((v) => isPlainObject(v) && Array.isArray(v.nodes));
      list = nodes && isPlainObject(nodes) ? (nodes.nodes as unknown[]) : null;
      if (!list && isPlainObject(value.data.securityAdvisory)) list = [value.data.securityAdvisory];
    }
    if (list)
      list.forEach((item, index) => items.push({ value: item, raw: JSON.stringify(item), at: `[${index}]` }));
    else items.push({ value, raw: text, at: '(document)' });
  }
  for (const item of items) {
    if (byteLength(item.raw) > max) {
      collector.error('DOCUMENT_TOO_LARGE', `${item.at} is over the ${max}-byte record limit`, {
        record: item.at,
      });
      continue;
    }
    const advisory = normaliseGhsaApi(item.value, collector, item.at);
    if (advisory) collector.add('ghsa-api', advisory.id, item.raw, { kind: 'advisory', advisory });
  }
  return collector.result();
}

function normaliseGhsaApi(value: unknown, collector: RecordCollector, at: string): Advisory | null {
  const hint =
    isPlainObject(value) && typeof (value.ghsa_id ?? value.ghsaId) === 'string'
      ? String(value.ghsa_id ?? value.ghsaId).slice(0, 100)
      : at;
  const parsed = advisorySchema.safeParse(value);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    collector.error('SCHEMA_VIOLATION', `GHSA record ${hint}: ${message}`, { record: hint, field });
    return null;
  }
  const a = parsed.data;
  const id = a.ghsa_id ?? a.ghsaId;
  if (!id) {
    collector.error('SCHEMA_VIOLATION', `GHSA record ${hint}: ghsa_id is missing`, {
      record: hint,
      field: 'ghsa_id',
    });
    return null;
  }

  const aliases: string[] = [];
  const addAlias = (alias: string | null | undefined, field: string) => {
    if (!alias || alias === id || aliases.includes(alias)) return;
    if (!ALIAS.test(alias)) {
      collector.warning(
        'SCHEMA_VIOLATION',
        `GHSA record ${id}: ${field} ${JSON.stringify(alias.slice(0, 50))} is not an id; left out`,
        {
          record: id,
          field,
        },
      );
      return;
    }
    aliases.push(alias);
  };
  addAlias(a.cve_id, 'cve_id');
  (a.identifiers ?? []).forEach((identifier, index) =>
    addAlias(identifier.value, `identifiers[${index}].value`),
  );

  const cvss: CvssScore[] = [];
  const vectors = [
    a.cvss_severities?.cvss_v4?.vector_string,
    a.cvssSeverities?.cvssV4?.vectorString,
    a.cvss_severities?.cvss_v3?.vector_string,
    a.cvssSeverities?.cvssV3?.vectorString,
    a.cvss?.vector_string,
    a.cvss?.vectorString,
  ];
  for (const vector of vectors) {
    if (!vector || cvss.some((c) => c.vector === vector)) continue;
    const score = scoreCvss(vector, 'github');
    if (score) cvss.push(score);
    else
      collector.warning(
        'SCHEMA_VIOLATION',
        `GHSA record ${id}: ${JSON.stringify(vector.slice(0, 80))} is not a CVSS vector; left out`,
        {
          record: id,
          field: 'cvss',
        },
      );
  }
  const cweList = a.cwes
    ? Array.isArray(a.cwes)
      ? a.cwes.map((c) => c.cwe_id)
      : a.cwes.nodes.map((c) => c.cweId)
    : [];
  const cwes = cweList.filter((c) => /^CWE-\d{1,6}$/.test(c));

  const vulnerabilities = a.vulnerabilities
    ? Array.isArray(a.vulnerabilities)
      ? a.vulnerabilities
      : a.vulnerabilities.nodes
    : [];
  const affected: AffectedPackage[] = [];
  vulnerabilities.forEach((entry, index) => {
    const field = `vulnerabilities[${index}]`;
    const v = vulnerabilitySchema.safeParse(entry);
    if (!v.success) {
      const issue = firstIssue(v.error, field);
      collector.warning('SCHEMA_VIOLATION', `GHSA record ${id}: ${issue.message}; entry left out`, {
        record: id,
        field: issue.field,
      });
      return;
    }
    const pkg = v.data.package;
    if (!pkg) return; // GitHub lists advisories without a package (type "unreviewed"): nothing to match
    const ecosystem = ECOSYSTEMS[pkg.ecosystem.toLowerCase()];
    try {
      if (!ecosystem) throw new Error('unmapped');
      resolveEcosystem(ecosystem);
    } catch (error) {
      if (ecosystem && !isVersioningError(error)) throw error;
      collector.warning(
        'UNKNOWN_ECOSYSTEM',
        `GHSA record ${id}: unknown ecosystem "${pkg.ecosystem.slice(0, 64)}"; entry left out`,
        {
          record: id,
          field: `${field}.package.ecosystem`,
        },
      );
      return;
    }
    const range = v.data.vulnerable_version_range ?? v.data.vulnerableVersionRange;
    const restPatched = v.data.first_patched_version;
    const patched =
      (typeof restPatched === 'object' && restPatched !== null ? restPatched.identifier : restPatched) ??
      v.data.firstPatchedVersion?.identifier ??
      null;
    const comparators = range ? parseGithubRange(range) : null;
    const rangeField = `${field}.vulnerable_version_range`;
    if (
      !comparators ||
      comparators.some((c) => c.version.length > MAX_VERSION_LENGTH || hasControlCharacter(c.version))
    ) {
      collector.warning(
        'INVALID_VERSION',
        `GHSA record ${id}: ${rangeField} ${JSON.stringify((range ?? '').slice(0, 100))} is not a range; entry left out`,
        {
          record: id,
          field: rangeField,
        },
      );
      return;
    }
    try {
      compileIntervals(ecosystem, [comparators]);
      if (patched) compileIntervals(ecosystem, [[{ op: '=', version: patched }]]);
    } catch (error) {
      if (!isVersioningError(error)) throw error;
      collector.warning('INVALID_VERSION', `GHSA record ${id}: ${field}: ${error.message}; entry left out`, {
        record: id,
        field: rangeField,
      });
      return;
    }
    affected.push({
      ecosystem,
      name: pkg.name,
      intervals: [comparators],
      fixedVersions: patched ? [patched] : [],
    });
  });

  const references = (a.references ?? []).map((r) => (typeof r === 'string' ? r : r.url)).slice(0, 100);
  const published = a.published_at ?? a.publishedAt;
  const modified = a.updated_at ?? a.updatedAt;
  const withdrawn = a.withdrawn_at ?? a.withdrawnAt;
  return {
    id,
    source: 'ghsa-api',
    aliases,
    ...(a.summary ? { summary: a.summary } : {}),
    ...(a.description ? { details: a.description } : {}),
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    ...(withdrawn ? { withdrawn } : {}),
    cvss,
    ...(a.severity ? { severityLabel: a.severity.toUpperCase().slice(0, 32) } : {}),
    cwes,
    affected,
    references,
  };
}
