export { VersioningError, isVersioningError, type VersioningErrorCode } from './errors';
export type { Ordering } from './ordering';
export type { ParsedVersion, SatisfiesOptions, SchemeId } from './schemes/scheme';
export {
  ECOSYSTEM_SCHEMES,
  SUPPORTED_ECOSYSTEMS,
  ecosystemForPurlType,
  resolveEcosystem,
  type OsvEcosystem,
  type ResolvedEcosystem,
} from './ecosystems';
export { compareParsed, compareVersions, parseVersion, satisfies } from './api';
export {
  compileAffected,
  isAffected,
  osvAffectedSchema,
  type AffectedEvaluator,
  type AffectedResult,
  type IgnoredRange,
  type OsvAffected,
  type UnknownReason,
} from './osv';
export { MAX_RANGE_LENGTH, MAX_VERSION_LENGTH } from './input';
