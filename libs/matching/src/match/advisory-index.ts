import {
  compareParsed,
  compileAffected,
  isVersioningError,
  satisfies,
  type AffectedEvaluator,
  type ParsedVersion,
} from '@stella/versioning';
import { primaryCvss } from '../cvss';
import { compileFast, evaluateFast, parseOrNull, type FastRanges } from './fast-ranges';
import { compileIntervals, inIntervals, type CompiledIntervals } from './intervals';
import { isMatchingError, MatchingError, type MatchingErrorCode } from '../errors';
import type {
  AffectedPackage,
  Advisory,
  CvssScore,
  EpssScore,
  KevEntry,
  ParsedContent,
  SeverityLevel,
  SourceRecord,
} from '../model';
import { advisoryPackageKey, componentPackage, type ComponentPackage } from '../purl';
import type { SbomComponent, SkippedComponent } from '../sbom/cyclonedx';

interface IndexedEntry {
  readonly advisory: Advisory;
  readonly affected: AffectedPackage;
  evaluator?: AffectedEvaluator | null;
  /** The entry's ranges with events parsed once; null when only the versioning evaluator can decide. */
  fast?: FastRanges | null;
  /** The entry's comparator intervals with versions parsed once. */
  intervals?: CompiledIntervals;
}

interface Enrichment {
  readonly cvss: readonly CvssScore[];
  readonly kev: KevEntry | null;
  readonly epss: EpssScore | null;
  /** Severity without a distribution urgency (the common case). */
  readonly severity: Finding['severity'];
}

interface FixedList {
  readonly entries: ReadonlyArray<{ readonly text: string; readonly parsed: ParsedVersion | null }>;
  /** Shared by every finding of the entry: treat as read-only. */
  readonly texts: readonly string[];
}

export interface Finding {
  readonly component: {
    readonly purl: string;
    readonly name: string;
    readonly version: string;
    readonly ecosystem: string;
    readonly bomRef?: string;
  };
  readonly advisoryId: string;
  readonly source: Advisory['source'];
  readonly aliases: readonly string[];
  readonly summary?: string;
  readonly published?: string;
  readonly modified?: string;
  readonly severity: {
    readonly level: SeverityLevel | null;
    readonly score: number | null;
    readonly basis: string | null;
  };
  /** The advisory's own CVSS scores, then NVD's for its CVE aliases (each names its scorer). */
  readonly cvss: readonly CvssScore[];
  readonly distroSeverity?: string;
  readonly cwes: readonly string[];
  /** Every fixed version the matching entries publish, in ascending order. */
  readonly fixedVersions: readonly string[];
  /** The lowest fixed version above the installed one: what to upgrade to. Null: no fix known. */
  readonly fixedIn: string | null;
  readonly kev: KevEntry | null;
  /** The highest EPSS score among the advisory's CVE ids. */
  readonly epss: EpssScore | null;
  readonly matchedBy: {
    readonly ecosystem: string;
    readonly package: string;
    readonly rule: 'osv' | 'range';
  };
}

export interface Undetermined {
  readonly purl: string;
  readonly advisoryId: string;
  readonly reason: string;
  readonly detail: string;
}

export interface MatchReport {
  readonly findings: Finding[];
  /** Component x advisory pairs that could not be decided (unparseable version, malformed range). */
  readonly undetermined: Undetermined[];
  readonly skipped: SkippedComponent[];
  readonly componentsEvaluated: number;
  readonly advisoriesIndexed: number;
}

const GHSA_LEVELS: Record<string, SeverityLevel> = {
  CRITICAL: 'CRITICAL',
  HIGH: 'HIGH',
  MODERATE: 'MEDIUM',
  MEDIUM: 'MEDIUM',
  LOW: 'LOW',
};
const DISTRO_LEVELS: Record<string, SeverityLevel> = {
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  unimportant: 'LOW',
};
/** Entries kept in each lookup cache before it is emptied (bounds memory across many SBOMs). */
const CACHE_LIMIT = 500_000;
const LEVEL_RANK: Record<SeverityLevel, number> = { CRITICAL: 5, HIGH: 4, MEDIUM: 3, LOW: 2, NONE: 1 };

/**
 * Advisories keyed by (ecosystem [+ distro release], normalised package name), plus KEV and EPSS
 * by CVE and NVD records by CVE for their CVSS. Build once (warm), match many SBOMs: a lookup is
 * one map access per component; range evaluators are compiled on first use and kept.
 */
export class AdvisoryIndex {
  private readonly byKey = new Map<string, IndexedEntry[]>();
  private readonly advisories = new Map<string, Advisory>();
  private readonly nvdByCve = new Map<string, Advisory>();
  private readonly kev = new Map<string, KevEntry>();
  private readonly epss = new Map<string, EpssScore>();
  private withdrawnCount = 0;

  /** Builds an index from source records; a later record with the same source and key supersedes. */
  static fromRecords(records: Iterable<Pick<SourceRecord, 'source' | 'key' | 'content'>>): AdvisoryIndex {
    const latest = new Map<string, ParsedContent>();
    for (const record of records) latest.set(`${record.source}\u0000${record.key}`, record.content);
    const index = new AdvisoryIndex();
    for (const content of latest.values()) index.addContent(content);
    return index;
  }

  get size(): number {
    return this.advisories.size;
  }

  get withdrawn(): number {
    return this.withdrawnCount;
  }

  addContent(content: ParsedContent): void {
    this.enrichments.clear();
    if (content.kind === 'advisory') this.addAdvisory(content.advisory);
    else if (content.kind === 'kev') for (const entry of content.entries) this.kev.set(entry.cveId, entry);
    else for (const score of content.scores) this.epss.set(score.cveId, score);
  }

  /** Adds one advisory. Withdrawn advisories are counted but never match. */
  addAdvisory(advisory: Advisory): void {
    let id = `${advisory.source}:${advisory.id}`;
    if (this.advisories.has(id)) {
      // A VDR record is keyed by its publisher and the vulnerability: two publishers' VDRs may
      // both speak of CVE-2021-44228, each its own observation. Other sources key by the id.
      if (advisory.source !== 'cyclonedx-vdr')
        throw new Error(`advisory ${id} added twice; use fromRecords to keep the latest`);
      id = `${id}#${this.advisories.size}`;
    }
    if (advisory.withdrawn) {
      this.withdrawnCount++;
      return;
    }
    this.advisories.set(id, advisory);
    if (advisory.source === 'nvd') {
      this.nvdByCve.set(advisory.id, advisory);
      this.enrichments.clear();
    }
    for (const affected of advisory.affected) {
      let key: string;
      try {
        key = advisoryPackageKey(affected.ecosystem, affected.name).key;
      } catch (error) {
        if (isMatchingError(error)) continue; // refused at import with a warning already
        throw error;
      }
      const list = this.byKey.get(key);
      const entry: IndexedEntry = { advisory, affected };
      if (list) list.push(entry);
      else this.byKey.set(key, [entry]);
    }
  }

  /** Matches SBOM components; never throws for a bad component (it is reported as skipped). */
  match(components: readonly SbomComponent[]): MatchReport {
    const findings: Finding[] = [];
    const undetermined: Undetermined[] = [];
    const skipped: SkippedComponent[] = [];
    let evaluated = 0;
    for (const component of components) {
      let pkg;
      try {
        pkg = this.componentPackage(component.purl);
      } catch (error) {
        if (!isMatchingError(error)) throw error;
        skipped.push({
          ...(component.bomRef !== undefined ? { bomRef: component.bomRef } : {}),
          name: component.name,
          reason: error.code === 'UNKNOWN_ECOSYSTEM' ? 'UNKNOWN_ECOSYSTEM' : 'INVALID_PURL',
          message: error.message,
        });
        continue;
      }
      evaluated++;
      const byAdvisory = new Map<Advisory, { entries: IndexedEntry[]; version: string; ecosystem: string }>();
      pkg.keys.forEach((key, i) => {
        const version = pkg.versions[i]!;
        const entries = this.byKey.get(key.key) ?? [];
        let parsed: ParsedVersion | null | undefined;
        for (const entry of entries) {
          if (entry.fast === undefined) entry.fast = compileFast(entry.affected);
          let verdict: boolean | { reason: string; detail: string };
          if (entry.fast && (parsed ??= this.parsed(entry.affected.ecosystem, version)))
            verdict = evaluateFast(entry.fast, version, parsed);
          else verdict = this.evaluate(entry, version);
          if (verdict === true) {
            const hit = byAdvisory.get(entry.advisory);
            if (hit) hit.entries.push(entry);
            else byAdvisory.set(entry.advisory, { entries: [entry], version, ecosystem: key.ecosystem });
          } else if (verdict !== false) {
            undetermined.push({
              purl: component.purl,
              advisoryId: entry.advisory.id,
              reason: verdict.reason,
              detail: verdict.detail,
            });
          }
        }
      });
      for (const [advisory, hit] of byAdvisory)
        findings.push(this.finding(component, pkg.version, advisory, hit));
    }
    findings.sort(
      (a, b) =>
        (a.component.purl < b.component.purl ? -1 : a.component.purl > b.component.purl ? 1 : 0) ||
        (b.severity.level ? LEVEL_RANK[b.severity.level] : 0) -
          (a.severity.level ? LEVEL_RANK[a.severity.level] : 0) ||
        (a.advisoryId < b.advisoryId ? -1 : a.advisoryId > b.advisoryId ? 1 : 0),
    );
    return {
      findings,
      undetermined,
      skipped,
      componentsEvaluated: evaluated,
      advisoriesIndexed: this.advisories.size,
    };
  }

  private readonly parsedVersions = new Map<string, ParsedVersion | null>();
  /** Parsed purls: the same components recur across SBOMs (and warm re-matches). */
  private readonly packages = new Map<string, ComponentPackage | MatchingError>();

  private componentPackage(purl: string): ComponentPackage {
    let cached = this.packages.get(purl);
    if (cached === undefined) {
      try {
        cached = componentPackage(purl);
      } catch (error) {
        if (!isMatchingError(error)) throw error;
        cached = error;
      }
      if (this.packages.size >= CACHE_LIMIT) this.packages.clear();
      this.packages.set(purl, cached);
    }
    if (cached instanceof MatchingError) throw cached;
    return cached;
  }

  /** Parsed versions by ecosystem and text; fixed versions repeat across findings. */
  private parsed(ecosystem: string, version: string): ParsedVersion | null {
    const key = `${ecosystem}\u0000${version}`;
    let parsed = this.parsedVersions.get(key);
    if (parsed === undefined) {
      parsed = parseOrNull(ecosystem, version);
      if (this.parsedVersions.size >= CACHE_LIMIT) this.parsedVersions.clear();
      this.parsedVersions.set(key, parsed);
    }
    return parsed;
  }

  private evaluate(entry: IndexedEntry, version: string): boolean | { reason: string; detail: string } {
    const { affected } = entry;
    try {
      if (affected.nativeRange !== undefined)
        return satisfies(affected.ecosystem, version, affected.nativeRange, { includePrerelease: true });
      if (affected.intervals !== undefined) {
        entry.intervals ??= compileIntervals(affected.ecosystem, affected.intervals);
        const parsed = this.parsed(affected.ecosystem, version);
        if (!parsed)
          return { reason: 'INVALID_VERSION', detail: `${version} is not a ${affected.ecosystem} version` };
        return inIntervals(entry.intervals, parsed);
      }
      if (entry.evaluator === undefined)
        entry.evaluator = affected.osv ? compileAffected(affected.ecosystem, affected.osv) : null;
      if (!entry.evaluator) return { reason: 'NO_EVALUABLE_DATA', detail: 'the entry has no ranges' };
      const result = entry.evaluator.evaluate(version);
      if ('unknown' in result) return { reason: result.reason, detail: result.detail };
      return result.affected;
    } catch (error) {
      if (isVersioningError(error))
        return { reason: error.code as MatchingErrorCode | string, detail: error.message };
      throw error;
    }
  }

  /** Per advisory, what every finding of it shares: CVSS with NVD's, KEV, EPSS. Reset when data is added. */
  private readonly enrichments = new Map<Advisory, Enrichment>();
  /** Per affected entry (or set of entries), its fixed versions in ascending order, parsed. */
  private readonly fixedLists = new Map<AffectedPackage, FixedList>();

  private enrichment(advisory: Advisory): Enrichment {
    let cached = this.enrichments.get(advisory);
    if (!cached) {
      const cves = [advisory.id, ...advisory.aliases].filter((id) => id.startsWith('CVE-'));
      const cvss: CvssScore[] = [...advisory.cvss];
      if (advisory.source !== 'nvd')
        for (const cve of cves) cvss.push(...(this.nvdByCve.get(cve)?.cvss ?? []));
      let kev: KevEntry | null = null;
      let epss: EpssScore | null = null;
      for (const cve of cves) {
        kev ??= this.kev.get(cve) ?? null;
        const score = this.epss.get(cve);
        if (score && (!epss || score.epss > epss.epss)) epss = score;
      }
      cached = { cvss, kev, epss, severity: severityOf(cvss, advisory.severityLabel, undefined) };
      this.enrichments.set(advisory, cached);
    }
    return cached;
  }

  private sortedFixed(entries: readonly IndexedEntry[]): FixedList {
    const key = entries[0]!.affected;
    if (entries.length === 1) {
      const cached = this.fixedLists.get(key);
      if (cached) return cached;
    }
    const texts = [...new Set(entries.flatMap((e) => e.affected.fixedVersions))];
    const list = texts.map((text) => ({ text, parsed: this.parsed(key.ecosystem, text) }));
    list.sort((a, b) =>
      a.parsed && b.parsed
        ? compareParsed(a.parsed, b.parsed)
        : a.text < b.text
          ? -1
          : a.text > b.text
            ? 1
            : 0,
    );
    const result: FixedList = { entries: list, texts: list.map((f) => f.text) };
    if (entries.length === 1) this.fixedLists.set(key, result);
    return result;
  }

  private finding(
    component: SbomComponent,
    version: string,
    advisory: Advisory,
    hit: { entries: IndexedEntry[]; version: string; ecosystem: string },
  ): Finding {
    const first = hit.entries[0]!.affected;
    const fixed = this.sortedFixed(hit.entries);
    const installed = this.parsed(first.ecosystem, hit.version);
    let fixedIn: string | null = null;
    if (installed)
      for (const candidate of fixed.entries) {
        if (candidate.parsed && compareParsed(candidate.parsed, installed) > 0) {
          fixedIn = candidate.text;
          break;
        }
      }
    const enrichment = this.enrichment(advisory);
    let distroSeverity: string | undefined;
    for (const e of hit.entries)
      if (e.affected.distroSeverity !== undefined) {
        distroSeverity = e.affected.distroSeverity;
        break;
      }
    const componentView: Finding['component'] = {
      purl: component.purl,
      name: component.name,
      version,
      ecosystem: hit.ecosystem,
    };
    if (component.bomRef !== undefined) (componentView as { bomRef?: string }).bomRef = component.bomRef;
    // Built field by field (no spreads): matching a large SBOM creates one of these per finding.
    const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
      component: componentView,
      advisoryId: advisory.id,
      source: advisory.source,
      aliases: advisory.aliases,
      severity:
        distroSeverity === undefined
          ? enrichment.severity
          : severityOf(enrichment.cvss, advisory.severityLabel, distroSeverity),
      cvss: enrichment.cvss,
      cwes: advisory.cwes,
      fixedVersions: fixed.texts,
      fixedIn,
      kev: enrichment.kev,
      epss: enrichment.epss,
      matchedBy: {
        ecosystem: first.ecosystem,
        package: first.name,
        rule: first.nativeRange !== undefined || first.intervals !== undefined ? 'range' : 'osv',
      },
    };
    if (advisory.summary !== undefined) finding.summary = advisory.summary;
    if (advisory.published !== undefined) finding.published = advisory.published;
    if (advisory.modified !== undefined) finding.modified = advisory.modified;
    if (distroSeverity !== undefined) finding.distroSeverity = distroSeverity;
    return finding;
  }
}

/** CVSS first (see primaryCvss), then the source's own label, then the distribution's urgency. */
function severityOf(
  cvss: readonly CvssScore[],
  label: string | undefined,
  distro: string | undefined,
): Finding['severity'] {
  const primary = primaryCvss(cvss);
  if (primary) return { level: primary.severity, score: primary.baseScore, basis: `CVSS:${primary.version}` };
  const fromLabel = label ? GHSA_LEVELS[label.toUpperCase()] : undefined;
  if (fromLabel) return { level: fromLabel, score: null, basis: 'source-label' };
  const fromDistro = distro ? DISTRO_LEVELS[distro.toLowerCase().replace(/\*+$/, '')] : undefined;
  if (fromDistro) return { level: fromDistro, score: null, basis: 'distro-urgency' };
  return { level: null, score: null, basis: null };
}
