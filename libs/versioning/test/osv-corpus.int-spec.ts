import * as path from 'node:path';
import { type AffectedResult, VersioningError, compileAffected, isAffected } from '../src';
import { osvAffectedEntries, osvFiles } from './oracle';

interface EcosystemStats {
  entries: number;
  ranges: number;
  evaluableRanges: number;
  unknownRanges: number;
  ignoredRanges: number;
  unknownReasons: Record<string, number>;
  listedVersionsChecked: number;
  /** Listed by OSV.dev yet outside the ranges: record inconsistencies, or ordering disagreements. */
  listedVersionsOutsideRanges: number;
  /** Listed versions that do not parse in the ecosystem (legacy PyPI versions such as 0.1-bulbasaur). */
  listedVersionsUnparseable: number;
  boundaryChecks: number;
  boundaryFailures: string[];
}

const files = osvFiles();

(files.length > 0 ? describe : describe.skip)('every OSV range in ../shared/data/advisories/osv', () => {
  it('evaluates without crashing; counts unknown ranges per ecosystem; agrees with OSV.dev version lists', () => {
    const stats = new Map<string, EcosystemStats>();
    const unsupported = new Map<string, number>();
    const crashes: string[] = [];

    for (const file of files) {
      for (const affected of osvAffectedEntries(file)) {
        const ecosystem = affected.package?.ecosystem ?? '';
        const base = ecosystem.split(':')[0] as string;
        let whole;
        try {
          whole = compileAffected(ecosystem, affected);
        } catch (e) {
          if (e instanceof VersioningError && e.code === 'UNKNOWN_ECOSYSTEM') {
            unsupported.set(base, (unsupported.get(base) ?? 0) + 1);
            continue;
          }
          crashes.push(`${path.basename(file)} ${affected.package?.name}: ${String(e)}`);
          continue;
        }
        const s =
          stats.get(base) ??
          ({
            entries: 0,
            ranges: 0,
            evaluableRanges: 0,
            unknownRanges: 0,
            ignoredRanges: 0,
            unknownReasons: {},
            listedVersionsChecked: 0,
            listedVersionsOutsideRanges: 0,
            listedVersionsUnparseable: 0,
            boundaryChecks: 0,
            boundaryFailures: [],
          } satisfies EcosystemStats);
        stats.set(base, s);
        s.entries++;

        for (const range of affected.ranges ?? []) {
          s.ranges++;
          const single = compileAffected(ecosystem, { ranges: [range] });
          const introduced = range.events.find((e) => e.introduced !== undefined)?.introduced;
          const probe = introduced && introduced !== '0' ? introduced : '1.0.0';
          let result: AffectedResult;
          try {
            result = single.evaluate(range.type === 'SEMVER' && base === 'Go' ? `v${probe}` : probe);
          } catch (e) {
            crashes.push(`${affected.package?.name} ${JSON.stringify(range.events)}: ${String(e)}`);
            continue;
          }
          if (result.ignored.length > 0) s.ignoredRanges++;
          else if ('unknown' in result && result.reason !== 'UNPARSEABLE_VERSION') {
            s.unknownRanges++;
            s.unknownReasons[result.reason] = (s.unknownReasons[result.reason] ?? 0) + 1;
          } else s.evaluableRanges++;

          // A single [introduced, fixed) interval must contain its introduced and exclude its fixed version.
          const fixed = range.events.find((e) => e.fixed !== undefined)?.fixed;
          if (range.type !== 'GIT' && range.events.length === 2 && introduced && introduced !== '0' && fixed) {
            const prefix = range.type === 'SEMVER' && base === 'Go' ? 'v' : '';
            const a = single.evaluate(prefix + introduced);
            const b = single.evaluate(prefix + fixed);
            s.boundaryChecks++;
            if (!('affected' in a && a.affected) || !('affected' in b && !b.affected)) {
              s.boundaryFailures.push(`${affected.package?.name} [${introduced}, ${fixed}): ${JSON.stringify([a, b])}`);
            }
          }
        }

        // OSV.dev expands ECOSYSTEM ranges into `versions`: each listed version should fall inside the ranges.
        const evaluableRanges = (affected.ranges ?? []).filter((r) => r.type !== 'GIT');
        if (evaluableRanges.length > 0 && (affected.versions?.length ?? 0) > 0) {
          const rangesOnly = compileAffected(ecosystem, { ranges: evaluableRanges });
          for (const v of affected.versions ?? []) {
            s.listedVersionsChecked++;
            const r = rangesOnly.evaluate(v);
            if ('unknown' in r) s.listedVersionsUnparseable++;
            else if (!r.affected) s.listedVersionsOutsideRanges++;
          }
        }
        // The whole entry must always answer (never throw) for its own listed versions.
        for (const v of (affected.versions ?? []).slice(0, 5)) whole.evaluate(v);
      }
    }

    const table = [...stats.entries()].map(([ecosystem, s]) => ({
      ecosystem,
      entries: s.entries,
      ranges: s.ranges,
      evaluable: s.evaluableRanges,
      unknown: s.unknownRanges,
      ignoredGit: s.ignoredRanges,
      unknownReasons: JSON.stringify(s.unknownReasons),
      listedChecked: s.listedVersionsChecked,
      listedOutside: s.listedVersionsOutsideRanges,
      listedUnparseable: s.listedVersionsUnparseable,
      boundaryChecks: s.boundaryChecks,
      boundaryFailures: s.boundaryFailures.length,
    }));
    console.log(
      `OSV corpus (${files.length} files):\n${JSON.stringify(table, null, 1)}\n` +
        `unsupported ecosystems (entries): ${JSON.stringify(Object.fromEntries(unsupported))}\n` +
        `boundary failures (first 10): ${JSON.stringify([...stats.values()].flatMap((s) => s.boundaryFailures).slice(0, 10), null, 1)}`,
    );

    expect(crashes).toEqual([]);
    expect(stats.size).toBeGreaterThan(0);
    expect([...stats.values()].reduce((n, s) => n + s.evaluableRanges, 0)).toBeGreaterThan(0);
    expect([...stats.values()].flatMap((s) => s.boundaryFailures)).toEqual([]);
  });

  it('answers a malicious-package entry (introduced 0, no fix) as affected for any version', () => {
    const affected = { package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] };
    expect(isAffected('npm', '0.0.1', affected)).toEqual({ affected: true, ignored: [] });
  });
});
