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
   * Whether a pre-release can match a range that does not name one.
   * npm and crates.io: default false, node-semver's and Cargo's rule (`^1.0.0` excludes `1.1.0-rc.1`).
   * PyPI: default true, as `packaging` 26 `SpecifierSet.contains()` (a single candidate is "the only
   * available version" in PEP 440's words); false applies the resolver rule, which admits
   * pre-releases only when a specifier names one. Vulnerability matching wants true everywhere.
   * The other ecosystems' native ranges have no such rule and ignore the flag.
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
