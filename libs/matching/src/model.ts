import type { OsvAffected } from '@stella/versioning';
import type { RecordIssue } from './errors';

/** Connectors: where a record came from. Part of every stored document's identity. */
export const SOURCE_IDS = [
  'osv',
  'ghsa',
  'debian',
  'nvd',
  'kev',
  'epss',
  'npm-legacy',
  'debian-list',
  'ghsa-api',
  'cyclonedx-vdr',
] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';
export type SeverityLevel = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface CvssScore {
  readonly version: CvssVersion;
  /** As published (CVSS v3/v4 with their `CVSS:x.y/` prefix). */
  readonly vector: string;
  /** Base score computed from the vector; null when the vector lacks base metrics. */
  readonly baseScore: number | null;
  readonly severity: SeverityLevel | null;
  /** Who scored it, when the source says (`nvd@nist.gov`, a CNA, `osv`). */
  readonly source?: string;
}

export interface AffectedPackage {
  /** OSV ecosystem as published, release included (`Debian:12`, `npm`). */
  readonly ecosystem: string;
  readonly name: string;
  readonly purl?: string;
  /** The entry's ranges/versions in OSV form: what membership is evaluated on. */
  readonly osv?: OsvAffected;
  /** Or a range in the ecosystem's own syntax (legacy npm advisories: `>=4.17.15 <4.17.19`). */
  readonly nativeRange?: string;
  /**
   * Or intervals of comparators, ordered by the ecosystem's scheme: affected when every comparator
   * of one interval holds (GHSA API `> 11.6, < 11.10.13`, CycloneDX `vers:maven/>=2.4|<2.12.2`).
   * Used where OSV events cannot say it exactly (an exclusive lower bound, `!=`).
   */
  readonly intervals?: ReadonlyArray<ReadonlyArray<Comparator>>;
  /** Every `fixed` event, in the order published (empty: no fix known). */
  readonly fixedVersions: readonly string[];
  /** Distribution urgency/severity when the source gives one (Debian tracker `urgency`). */
  readonly distroSeverity?: string;
}

export type ComparatorOp = '<' | '<=' | '>' | '>=' | '=' | '!=';
export interface Comparator {
  readonly op: ComparatorOp;
  readonly version: string;
}

/** A normalised observation of one source record. Never merged with another source's. */
export interface Advisory {
  readonly id: string;
  readonly source: SourceId;
  /** Other ids for the same vulnerability (OSV `aliases` and `upstream`), without `id`. */
  readonly aliases: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly published?: string;
  readonly modified?: string;
  readonly withdrawn?: string;
  readonly cvss: readonly CvssScore[];
  /** Qualitative severity the source states without a vector (GHSA `database_specific.severity`). */
  readonly severityLabel?: string;
  readonly cwes: readonly string[];
  readonly affected: readonly AffectedPackage[];
  readonly references: readonly string[];
}

/** One CISA Known Exploited Vulnerabilities catalogue entry. */
export interface KevEntry {
  readonly cveId: string;
  readonly vendorProject: string;
  readonly product: string;
  readonly vulnerabilityName: string;
  readonly dateAdded: string;
  readonly dueDate: string;
  readonly requiredAction: string;
  readonly knownRansomwareCampaignUse: string;
}

/** One FIRST EPSS score row. */
export interface EpssScore {
  readonly cveId: string;
  /** Probability of exploitation activity in the next 30 days, 0..1. */
  readonly epss: number;
  readonly percentile: number;
  readonly modelVersion: string;
  readonly scoreDate: string;
}

export type ParsedContent =
  | { readonly kind: 'advisory'; readonly advisory: Advisory }
  | {
      readonly kind: 'kev';
      readonly catalogVersion: string;
      readonly dateReleased: string;
      readonly entries: readonly KevEntry[];
    }
  | {
      readonly kind: 'epss';
      readonly modelVersion: string;
      readonly scoreDate: string;
      readonly scores: readonly EpssScore[];
    };

/**
 * One source record exactly as received: `raw` is its text (the JSON-lines line, the file, or the
 * canonical JSON of an item cut out of a larger response) and `contentHash` the sha256 of it.
 */
export interface SourceRecord {
  readonly source: SourceId;
  /** Identity within the source: advisory id, `kev`, `epss`. A newer record with the same key supersedes. */
  readonly key: string;
  readonly raw: string;
  readonly contentHash: string;
  readonly document: string;
  readonly content: ParsedContent;
}

export interface ReadResult {
  readonly records: SourceRecord[];
  readonly issues: RecordIssue[];
}
