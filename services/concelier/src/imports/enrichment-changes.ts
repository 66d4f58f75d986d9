import type { ParsedContent } from '@stella/matching';

export type EnrichmentContent = Extract<ParsedContent, { kind: 'kev' | 'epss' }>;
export type EnrichmentChange = { readonly cveId: string; readonly change: 'added' | 'changed' | 'removed' };

/** Per-CVE fingerprint of what a KEV entry or EPSS score says: a change of it changes risk. */
function fingerprints(content: EnrichmentContent | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!content) return out;
  if (content.kind === 'kev')
    for (const e of content.entries)
      out.set(
        e.cveId,
        JSON.stringify([
          e.dateAdded,
          e.dueDate,
          e.requiredAction,
          e.knownRansomwareCampaignUse,
          e.vulnerabilityName,
        ]),
      );
  else for (const s of content.scores) out.set(s.cveId, JSON.stringify([s.epss, s.percentile]));
  return out;
}

/**
 * What a new KEV catalogue or EPSS file changes against the previous one of the same source:
 * CVEs added, changed (another due date or ransomware use; another score or percentile) or
 * removed, sorted by CVE id. Without a previous document every CVE is added.
 */
export function enrichmentChanges(
  previous: EnrichmentContent | null,
  next: EnrichmentContent,
): EnrichmentChange[] {
  const before = fingerprints(previous);
  const after = fingerprints(next);
  const changes: EnrichmentChange[] = [];
  for (const [cveId, value] of after) {
    const old = before.get(cveId);
    if (old === undefined) changes.push({ cveId, change: 'added' });
    else if (old !== value) changes.push({ cveId, change: 'changed' });
  }
  for (const cveId of before.keys()) if (!after.has(cveId)) changes.push({ cveId, change: 'removed' });
  return changes.sort((a, b) => (a.cveId < b.cveId ? -1 : a.cveId > b.cveId ? 1 : 0));
}

export interface EnrichmentPart {
  readonly changes: EnrichmentChange[];
  readonly advisoryIds: string[];
  readonly packageKeys: string[];
}

export const PART_LIMIT = 1000;

/**
 * Splits the changes that name stored advisories into event-sized parts: each holds at most
 * PART_LIMIT changes, advisory ids and package keys (a single CVE with more is cut at the limit).
 * Changes that no stored advisory names are left out (nothing to re-evaluate); always at least
 * one part, so a change that touches nothing is still announced.
 */
export function partition(
  changes: readonly EnrichmentChange[],
  affected: ReadonlyMap<string, { advisoryIds: ReadonlySet<string>; packageKeys: ReadonlySet<string> }>,
): { parts: EnrichmentPart[]; unmatched: number } {
  const parts: EnrichmentPart[] = [];
  let current = { changes: [] as EnrichmentChange[], ids: new Set<string>(), keys: new Set<string>() };
  let unmatched = 0;
  const flush = () => {
    parts.push({
      changes: current.changes,
      advisoryIds: [...current.ids].sort(),
      packageKeys: [...current.keys].sort(),
    });
    current = { changes: [], ids: new Set(), keys: new Set() };
  };
  for (const change of changes) {
    const hit = affected.get(change.cveId);
    if (!hit) {
      unmatched++;
      continue;
    }
    const newIds = [...hit.advisoryIds].filter((id) => !current.ids.has(id)).length;
    const newKeys = [...hit.packageKeys].filter((key) => !current.keys.has(key)).length;
    if (
      current.changes.length > 0 &&
      (current.changes.length + 1 > PART_LIMIT ||
        current.ids.size + newIds > PART_LIMIT ||
        current.keys.size + newKeys > PART_LIMIT)
    )
      flush();
    current.changes.push(change);
    for (const id of hit.advisoryIds) if (current.ids.size < PART_LIMIT) current.ids.add(id);
    for (const key of hit.packageKeys) if (current.keys.size < PART_LIMIT) current.keys.add(key);
  }
  if (current.changes.length > 0 || parts.length === 0) flush();
  return { parts, unmatched };
}
