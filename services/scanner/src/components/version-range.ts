import { compareVersions, ecosystemForPurlType, isVersioningError, satisfies } from '@stella/versioning';
import { ScannerError } from '../common/scanner-error';

/** Tests one version; throws INVALID_RANGE when the range cannot be read. */
export type VersionPredicate = (version: string) => boolean;

/** Versions tried in turn until one parses in the ecosystem (npm, PyPI, Maven, Debian, Go...). */
const PROBE_VERSIONS = ['1.0.0', 'v1.0.0', '1.0', '1', '1.0.0-r0', '1.0.0-1'];

const VERS_OPERATORS = ['>=', '<=', '!=', '<', '>', '='] as const;
type VersOperator = (typeof VERS_OPERATORS)[number];
interface VersConstraint {
  op: VersOperator;
  version: string;
}

/**
 * A version range as a predicate, evaluated with @stella/versioning in the purl type's ecosystem:
 * - `vers:<type>/<constraints>` (the purl-spec VERS notation: `vers:npm/>=1.0.0|<1.2.3`, `vers:deb/*`);
 * - otherwise the ecosystem's native range syntax as OSV and the package managers write it (npm and
 *   Cargo semver ranges, PEP 440 specifier sets, Maven/NuGet intervals, `op version` lists for Go,
 *   Debian, Alpine and RPM).
 * A version the ecosystem cannot parse is not in any range.
 */
export function compileRange(
  purlType: string,
  namespace: string | undefined,
  range: string,
): VersionPredicate {
  let ecosystem: string;
  try {
    ecosystem = ecosystemForPurlType(purlType, namespace || undefined);
  } catch (error) {
    throw new ScannerError('INVALID_RANGE', `no version semantics for purl type "${purlType}"`, {
      cause: isVersioningError(error) ? error.code : undefined,
    });
  }
  if (range.startsWith('vers:')) return compileVers(ecosystem, range);
  // Validate the range once, on a version the ecosystem parses, so a bad range is a 400 even when
  // the package is in no image (otherwise the first real version would reveal it).
  for (const probe of PROBE_VERSIONS) {
    try {
      satisfies(ecosystem, probe, range, { includePrerelease: true });
      break;
    } catch (error) {
      if (isVersioningError(error) && error.code === 'INVALID_RANGE') {
        throw new ScannerError('INVALID_RANGE', `invalid ${ecosystem} range: ${error.message}`);
      }
    }
  }
  return (version) => {
    try {
      return satisfies(ecosystem, version, range, { includePrerelease: true });
    } catch (error) {
      if (isVersioningError(error) && error.code === 'INVALID_RANGE') {
        throw new ScannerError('INVALID_RANGE', `invalid ${ecosystem} range: ${error.message}`);
      }
      return false;
    }
  };
}

/** Parses `vers:<scheme>/<c1>|<c2>…`; the scheme names the versioning (usually the purl type). */
export function parseVers(range: string): { scheme: string; constraints: VersConstraint[] | '*' } {
  const match = /^vers:([a-z0-9.+-]+)\/(.+)$/i.exec(range.trim());
  if (!match) throw new ScannerError('INVALID_RANGE', 'expected vers:<type>/<constraints>');
  const body = match[2]!.replace(/\s+/g, '');
  if (body === '*') return { scheme: match[1]!.toLowerCase(), constraints: '*' };
  const constraints = body.split('|').map((part) => {
    if (part === '') throw new ScannerError('INVALID_RANGE', 'empty vers constraint');
    const op = VERS_OPERATORS.find((candidate) => part.startsWith(candidate));
    const version = decodeURIComponent(op ? part.slice(op.length) : part);
    if (version === '') throw new ScannerError('INVALID_RANGE', `vers constraint "${part}" has no version`);
    return { op: op ?? '=', version };
  });
  return { scheme: match[1]!.toLowerCase(), constraints };
}

/** The purl-spec VERS containment algorithm over @stella/versioning's comparison. */
function compileVers(ecosystem: string, range: string): VersionPredicate {
  const { constraints } = parseVers(range);
  if (constraints === '*') return () => true;
  const compare = (a: string, b: string) => compareVersions(ecosystem, a, b);
  let sorted: VersConstraint[];
  try {
    sorted = [...constraints].sort((a, b) => compare(a.version, b.version));
  } catch (error) {
    throw new ScannerError('INVALID_RANGE', `invalid version in vers range: ${(error as Error).message}`);
  }
  const equal = sorted.filter((c) => c.op === '=').map((c) => c.version);
  const excluded = sorted.filter((c) => c.op === '!=').map((c) => c.version);
  const bounds = sorted.filter((c) => c.op !== '=' && c.op !== '!=');
  return (version) => {
    try {
      if (equal.some((v) => compare(version, v) === 0)) return true;
      if (excluded.some((v) => compare(version, v) === 0)) return false;
      if (bounds.length === 0) return false;
      for (const c of bounds) {
        if (compare(version, c.version) === 0 && (c.op === '<=' || c.op === '>=')) return true;
      }
      const isLower = (op: VersOperator) => op === '>' || op === '>=';
      const isUpper = (op: VersOperator) => op === '<' || op === '<=';
      if (bounds.length === 1) {
        const only = bounds[0]!;
        const order = compare(version, only.version);
        return isLower(only.op) ? order > 0 : order < 0;
      }
      for (let i = 0; i < bounds.length - 1; i++) {
        const current = bounds[i]!;
        const next = bounds[i + 1]!;
        if (i === 0 && isUpper(current.op) && compare(version, current.version) < 0) return true;
        if (i === bounds.length - 2 && isLower(next.op) && compare(version, next.version) > 0) return true;
        if (
          isLower(current.op) &&
          isUpper(next.op) &&
          compare(version, current.version) > 0 &&
          compare(version, next.version) < 0
        )
          return true;
      }
      return false;
    } catch {
      return false;
    }
  };
}
