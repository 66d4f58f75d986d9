import { packageKey, purlVersion, splitPurl } from './purl';
import type { Delta, DeltaEntry, DeltaFinding, PolicyBaseline, PolicyInput } from './types';

const byEntry = (a: DeltaEntry, b: DeltaEntry): number =>
  a.finding < b.finding
    ? -1
    : a.finding > b.finding
      ? 1
      : a.purl < b.purl
        ? -1
        : a.purl > b.purl
          ? 1
          : a.why < b.why
            ? -1
            : a.why > b.why
              ? 1
              : 0;

function dedupe(findings: readonly DeltaFinding[]): DeltaFinding[] {
  const out = new Map<string, DeltaFinding>();
  for (const f of findings) {
    const key = `${f.id}\u0000${f.purl}`;
    if (!out.has(key)) out.set(key, f);
  }
  return [...out.values()];
}

/** Versions present per package key (purl without version). */
export function versionsByPackage(
  purls: Iterable<string>,
  into = new Map<string, Set<string>>(),
): Map<string, Set<string>> {
  for (const purl of purls) {
    const [key, version] = splitPurl(purl);
    let set = into.get(key);
    if (!set) into.set(key, (set = new Set()));
    set.add(version ?? '');
  }
  return into;
}

interface SetIndex {
  /** Deduplicated by (id, purl), in input order. */
  readonly list: readonly DeltaFinding[];
  /** Package key of each entry of `list`. */
  readonly keys: readonly string[];
  readonly byPackage: ReadonlyMap<string, DeltaFinding[]>;
  /** Versions per package key: of the findings and of `components`. */
  readonly versions: ReadonlyMap<string, Set<string>>;
}

/** Indexes of frozen finding sets (prepared inputs): derived from immutable data, never stale. */
const indexCache = new WeakMap<object, SetIndex>();

function indexSet(
  findings: readonly DeltaFinding[],
  components: readonly string[] | undefined,
  owner: object,
): SetIndex {
  const cached = indexCache.get(owner);
  if (cached) return cached;
  const list = dedupe(findings);
  const keys = list.map((f) => packageKey(f.purl));
  const byPackage = new Map<string, DeltaFinding[]>();
  list.forEach((f, i) => {
    const key = keys[i]!;
    const entries = byPackage.get(key);
    if (entries) entries.push(f);
    else byPackage.set(key, [f]);
  });
  const versions = versionsByPackage([...(components ?? []), ...list.map((f) => f.purl)]);
  const index = { list, keys, byPackage, versions };
  if (Object.isFrozen(owner) && Object.isFrozen(findings)) indexCache.set(owner, index);
  return index;
}

const vexLabel = (v: DeltaFinding['vex']): string => v ?? 'no VEX';

/**
 * Compares the current finding set with the deployed release's. A finding is the same one when
 * its package (purl without version) is the same and its ids (id + aliases) overlap.
 * `currentComponents` (purls) tells a removed component from a withdrawn advisory.
 */
export function diffFindings(
  current: readonly DeltaFinding[],
  baseline: PolicyBaseline | readonly DeltaFinding[],
  currentComponents?: readonly string[],
): Omit<Delta, 'baselineReleaseId'> {
  return diffIndexed(current, baseline, currentComponents ? versionsByPackage(currentComponents) : undefined);
}

/** diffFindings with the current components already indexed (`versionsByPackage`). */
export function diffIndexed(
  current: readonly DeltaFinding[],
  baseline: PolicyBaseline | readonly DeltaFinding[],
  componentVersions: ReadonlyMap<string, ReadonlySet<string>> | undefined,
): Omit<Delta, 'baselineReleaseId'> {
  const currentComponents = componentVersions;
  const baseIndex = Array.isArray(baseline)
    ? indexSet(baseline as readonly DeltaFinding[], undefined, baseline)
    : indexSet((baseline as PolicyBaseline).findings, (baseline as PolicyBaseline).components, baseline);
  const baseComponents = Array.isArray(baseline) ? undefined : (baseline as PolicyBaseline).components;
  const curIndex = indexSet(current, undefined, current);
  const cur = curIndex.list;
  const old = baseIndex.list;
  const oldByPackage = baseIndex.byPackage;
  const basePackages = baseIndex.versions;
  const findingPackages = curIndex.versions;
  /** Versions of a package in the current release: its components and its findings. */
  const currentVersions = (key: string): { has(version: string): boolean; list(): string[] } | undefined => {
    const a = componentVersions?.get(key);
    const b = findingPackages.get(key);
    if (!a && !b) return undefined;
    return {
      has: (v) => (a?.has(v) ?? false) || (b?.has(v) ?? false),
      list: () => [...new Set([...(a ?? []), ...(b ?? [])])],
    };
  };

  const matched = new Set<DeltaFinding>();
  const added: DeltaEntry[] = [];
  const fixed: DeltaEntry[] = [];
  const changed: DeltaEntry[] = [];

  for (let i = 0; i < cur.length; i++) {
    const f = cur[i]!;
    const pkg = curIndex.keys[i]!;
    const ids = new Set([f.id, ...f.aliases]);
    const prev = (oldByPackage.get(pkg) ?? []).find(
      (o) => !matched.has(o) && (ids.has(o.id) || o.aliases.some((a) => ids.has(a))),
    );
    if (!prev) {
      const versions = basePackages.get(pkg);
      if (!versions) {
        added.push({
          finding: f.id,
          purl: f.purl,
          why: baseComponents ? 'new_component' : 'new_advisory',
          detail: baseComponents ? `${pkg} is not in the deployed release` : `${f.id} affects ${f.purl}`,
        });
      } else if (!versions.has(f.installedVersion) && !versions.has(purlVersion(f.purl) ?? '')) {
        added.push({
          finding: f.id,
          purl: f.purl,
          why: 'version_change',
          detail: `${pkg} changed from ${[...versions].sort().join(', ')} to ${f.installedVersion}`,
        });
      } else {
        added.push({
          finding: f.id,
          purl: f.purl,
          why: 'new_advisory',
          detail: `${f.id} newly affects ${f.purl}`,
        });
      }
      continue;
    }
    matched.add(prev);
    const entry = (why: DeltaEntry['why'], detail: string): void => {
      changed.push({ finding: f.id, purl: f.purl, why, detail });
    };
    if (prev.installedVersion !== f.installedVersion) {
      entry('version_change', `${prev.installedVersion} -> ${f.installedVersion}, still affected`);
    }
    if (prev.vex !== f.vex) entry('vex_flip', `${vexLabel(prev.vex)} -> ${vexLabel(f.vex)}`);
    if (prev.severity !== f.severity) entry('severity_change', `${prev.severity} -> ${f.severity}`);
    if (!prev.fixAvailable && f.fixAvailable) entry('fix_available', 'a fixed version is now available');
    if (prev.kev !== f.kev)
      entry(
        f.kev ? 'kev_added' : 'kev_removed',
        f.kev ? 'now listed in CISA KEV' : 'no longer listed in CISA KEV',
      );
  }

  for (let i = 0; i < old.length; i++) {
    const o = old[i]!;
    if (matched.has(o)) continue;
    const pkg = baseIndex.keys[i]!;
    const versions = currentVersions(pkg);
    if (!versions && currentComponents) {
      fixed.push({
        finding: o.id,
        purl: o.purl,
        why: 'component_removed',
        detail: `${pkg} is no longer in the release`,
      });
    } else if (versions && !versions.has(o.installedVersion) && !versions.has(purlVersion(o.purl) ?? '')) {
      fixed.push({
        finding: o.id,
        purl: o.purl,
        why: 'version_change',
        detail: `${pkg} moved from ${o.installedVersion} to ${versions.list().sort().join(', ')}`,
      });
    } else {
      fixed.push({
        finding: o.id,
        purl: o.purl,
        why: 'advisory_withdrawn',
        detail: `${o.id} no longer matches ${o.purl}`,
      });
    }
  }
  return { new: added.sort(byEntry), fixed: fixed.sort(byEntry), changed: changed.sort(byEntry) };
}

const findingSetCache = new WeakMap<PolicyInput, readonly DeltaFinding[]>();

/** releaseFindingSet, kept (frozen) for a frozen (prepared) input. */
export function cachedReleaseFindingSet(input: PolicyInput): readonly DeltaFinding[] {
  if (!Object.isFrozen(input)) return releaseFindingSet(input);
  let set = findingSetCache.get(input);
  if (!set) {
    const fresh = releaseFindingSet(input);
    for (const f of fresh) Object.freeze(f);
    set = Object.freeze(fresh);
    findingSetCache.set(input, set);
  }
  return set;
}

/** The release-level finding set of an input: what a later evaluation's `baseline.findings` holds. */
export function releaseFindingSet(input: PolicyInput): DeltaFinding[] {
  const out = new Map<string, DeltaFinding>();
  for (const image of input.images) {
    for (const f of image.findings) {
      const key = `${f.id}\u0000${f.purl}`;
      if (out.has(key)) continue;
      out.set(key, {
        id: f.id,
        aliases: [...f.aliases].sort(),
        purl: f.purl,
        installedVersion: f.installedVersion,
        severity: f.severity,
        fixAvailable: f.fixAvailable,
        kev: f.kev,
        vex: f.vex?.status ?? null,
      });
    }
  }
  return [...out.values()].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0,
  );
}
