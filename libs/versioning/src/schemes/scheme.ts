import type { Ordering } from '../ordering';

/** Identifiers of the version orderings this library implements. */
export type SchemeId =
  | 'semver'
  | 'npm'
  | 'pypi'
  | 'maven'
  | 'go'
  | 'debian'
  | 'alpine'
  | 'rpm'
  | 'rubygems'
  | 'nuget';

export interface SatisfiesOptions {
  /**
   * npm, crates.io and PyPI exclude pre-releases from ranges that do not mention one (their
   * resolvers' rule). Vulnerability matching usually wants them included: set this to true.
   * Other ecosystems' native range syntax has no such rule and ignores the flag.
   */
  readonly includePrerelease?: boolean;
}

/** What parseVersion returns: the scheme's structure plus the facts every caller needs. */
export interface ParsedVersion<V = unknown> {
  readonly scheme: SchemeId;
  /** The string as given. */
  readonly input: string;
  /** The ecosystem's normalised spelling (PEP 440 normal form, Maven canonical form, ...). */
  readonly normalized: string;
  /** True when the ecosystem considers this a pre-release (alpha, beta, rc, dev, ...). */
  readonly prerelease: boolean;
  /** Scheme-specific structure; its shape is an implementation detail, use compareParsed on it. */
  readonly value: V;
}

/** One ecosystem's ordering and native range syntax. Parse failures throw INVALID_VERSION. */
export interface VersionScheme<V> {
  readonly id: SchemeId;
  parse(input: string): ParsedVersion<V>;
  compare(a: V, b: V): Ordering;
  satisfies(version: ParsedVersion<V>, range: string, options: SatisfiesOptions): boolean;
}
