export { MatchingError, isMatchingError, type MatchingErrorCode, type RecordIssue } from './errors';
export {
  SOURCE_IDS,
  type Advisory,
  type AffectedPackage,
  type Comparator,
  type ComparatorOp,
  type CvssScore,
  type CvssVersion,
  type EpssScore,
  type KevEntry,
  type ParsedContent,
  type ReadResult,
  type SeverityLevel,
  type SourceId,
  type SourceRecord,
} from './model';
export { scoreCvss, primaryCvss, severityOfScore, cvssVersionOf } from './cvss';
export {
  detectSource,
  isSourceId,
  readSourceFile,
  readSourceText,
  type ReadSourceOptions,
  type SourceSelector,
} from './sources/read-source';
export {
  loadAdvisoryPath,
  mirrorManifestSchema,
  MIRROR_MANIFEST,
  type LoadPathResult,
  type MirrorManifest,
} from './sources/load-path';
export {
  DEFAULT_ARCHIVE_LIMITS,
  readZipEntries,
  type ArchiveLimits,
  type ArchiveEntry,
} from './sources/archive';
export { DEBIAN_RELEASES } from './sources/debian-tracker';
export {
  advisoryPackageKey,
  componentPackage,
  purlPackage,
  normalisePackageName,
  releaseFromDistro,
  type PackageKey,
  type ComponentPackage,
} from './purl';
export { cycloneDxComponents, type SbomComponent, type SkippedComponent } from './sbom/cyclonedx';
export { AdvisoryIndex, type Finding, type MatchReport, type Undetermined } from './match/advisory-index';
export { toSarif } from './report/sarif';
