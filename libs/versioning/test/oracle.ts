import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';

/** The shared advisory corpus next to the repository (../shared/data/advisories/osv). */
export const OSV_DATA_DIR = path.resolve(__dirname, '../../../../shared/data/advisories/osv');

export interface OsvRecordAffected {
  package?: { ecosystem?: string; name?: string };
  ranges?: Array<{ type: string; events: Array<Record<string, string>> }>;
  versions?: string[];
}

export function osvFiles(): string[] {
  if (!existsSync(OSV_DATA_DIR)) return [];
  return readdirSync(OSV_DATA_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => path.join(OSV_DATA_DIR, f));
}

export function* osvAffectedEntries(file: string): Generator<OsvRecordAffected> {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { affected?: OsvRecordAffected[] };
    yield* record.affected ?? [];
  }
}

/**
 * Every version string an OSV file mentions (events and versions lists), deduplicated, in file
 * order; with `ecosystem`, only from entries of that base ecosystem.
 */
export function osvVersions(file: string, ecosystem?: string): string[] {
  const seen = new Set<string>();
  if (!existsSync(file)) return [];
  for (const affected of osvAffectedEntries(file)) {
    if (ecosystem !== undefined && affected.package?.ecosystem?.split(':')[0] !== ecosystem) continue;
    for (const range of affected.ranges ?? []) {
      if (range.type === 'GIT') continue;
      for (const event of range.events) {
        for (const value of Object.values(event)) if (value !== '0' && value !== '*') seen.add(value);
      }
    }
    for (const v of affected.versions ?? []) seen.add(v);
  }
  return [...seen];
}

/** Deterministic PRNG (mulberry32) so sampled pairs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Pairs for an oracle: random pairs from `real`, neighbours in string order (near-identical
 * versions), and pairs from the generator.
 */
export function oraclePairs(real: readonly string[], generated: fc.Arbitrary<string>, count: number, seed: number): Array<[string, string]> {
  const random = seededRandom(seed);
  const pairs: Array<[string, string]> = [];
  const third = Math.floor(count / 3);
  if (real.length > 1) {
    for (let i = 0; i < third; i++) {
      pairs.push([real[Math.floor(random() * real.length)] as string, real[Math.floor(random() * real.length)] as string]);
    }
    const sorted = [...real].sort();
    for (let i = 0; i < third; i++) {
      const k = Math.floor(random() * (sorted.length - 1));
      pairs.push(random() < 0.5 ? [sorted[k] as string, sorted[k + 1] as string] : [sorted[k + 1] as string, sorted[k] as string]);
    }
  }
  const samples = fc.sample(generated, { seed, numRuns: (count - pairs.length) * 2 });
  for (let i = 0; i + 1 < samples.length; i += 2) pairs.push([samples[i] as string, samples[i + 1] as string]);
  return pairs;
}

export function run(command: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

export function commandWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0;
}

/** A maven-artifact jar to run ComparableVersion from: the local Maven repository, else Debian's. */
export function findMavenArtifactJar(): string | null {
  const m2 = path.join(homedir(), '.m2/repository/org/apache/maven/maven-artifact');
  const candidates: string[] = [];
  if (existsSync(m2)) {
    const versions = readdirSync(m2)
      .filter((v) => /^3\.9\.\d+$/.test(v))
      .sort((a, b) => Number(b.split('.')[2]) - Number(a.split('.')[2]));
    for (const v of versions) candidates.push(path.join(m2, v, `maven-artifact-${v}.jar`));
  }
  candidates.push('/usr/share/java/maven-artifact-3.x.jar', '/usr/share/java/maven3-artifact.jar');
  return candidates.find((c) => existsSync(c)) ?? null;
}

export const symbol = (o: number): string => (o < 0 ? '<' : o > 0 ? '>' : '=');
