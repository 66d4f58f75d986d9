import type { PolicyInput } from '@stella/policy-engine';

export interface RiskDelta {
  newFindings: number;
  fixedFindings: number;
  changedFindings: number;
  vulnerabilities: string[];
}

interface Facts {
  severity: string;
  vex: string | null;
  fixAvailable: boolean;
  kev: boolean;
}

type FindingLike = PolicyInput['images'][number]['findings'][number];

function findingSet(findings: readonly FindingLike[]): Map<string, Facts> {
  const out = new Map<string, Facts>();
  for (const f of findings)
      out.set(`${f.id}\u0000${f.purl}`, {
        severity: f.severity,
        vex: f.vex?.status ?? null,
        fixAvailable: f.fixAvailable,
        kev: f.kev,
      });
  return out;
}

/** Every finding of an input's images. */
export function inputFindings(input: Pick<PolicyInput, 'images'>): FindingLike[] {
  return input.images.flatMap((image) => [...image.findings]);
}

/** What changed between two evaluations of the same release: findings new, gone, and changed (severity, VEX, fix, KEV). */
export function riskDelta(previous: readonly FindingLike[] | null, current: readonly FindingLike[]): RiskDelta {
  const before = findingSet(previous ?? []);
  const after = findingSet(current);
  const vulnerabilities = new Set<string>();
  let added = 0;
  let fixed = 0;
  let changed = 0;
  for (const [key, facts] of after) {
    const old = before.get(key);
    if (!old) {
      added++;
      vulnerabilities.add(key.split('\u0000')[0]!);
    } else if (
      old.severity !== facts.severity ||
      old.vex !== facts.vex ||
      old.fixAvailable !== facts.fixAvailable ||
      old.kev !== facts.kev
    ) {
      changed++;
      vulnerabilities.add(key.split('\u0000')[0]!);
    }
  }
  for (const key of before.keys())
    if (!after.has(key)) {
      fixed++;
      vulnerabilities.add(key.split('\u0000')[0]!);
    }
  return {
    newFindings: added,
    fixedFindings: fixed,
    changedFindings: changed,
    vulnerabilities: [...vulnerabilities].sort().slice(0, 20),
  };
}
