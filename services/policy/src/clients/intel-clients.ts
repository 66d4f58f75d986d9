import type { HttpUpstream } from './upstreams';

/** One finding as concelier's /api/v1/match returns it (the fields the policy service reads). */
export interface MatchedFinding {
  component: { purl: string; name: string; version: string; ecosystem: string };
  advisoryId: string;
  source: string;
  aliases: string[];
  summary?: string;
  published?: string;
  modified?: string;
  severity: { level: string | null; score: number | null; basis: string | null };
  fixedVersions: string[];
  fixedIn: string | null;
  kev: { cveId?: string; dateAdded?: string; knownRansomware?: boolean } | null;
  epss: { cve?: string; score: number; percentile?: number } | null;
}

export interface MatchResponse {
  findings: MatchedFinding[];
  undetermined: Array<{ purl: string; advisoryId: string; reason: string; detail: string }>;
  skipped: Array<{ purl?: string; name?: string; reason: string; [key: string]: unknown }>;
  componentsEvaluated: number;
  advisoriesIndexed: number;
  snapshotId: string;
}

export interface ConsensusResponse {
  vulnerabilityId: string;
  productKey: string;
  status: 'not_affected' | 'affected' | 'fixed' | 'under_investigation' | 'conflict' | 'none';
  justification?: string;
  summary: string;
  statements: Array<{ issuer: string; status: string; used: boolean; documentHash: string; justification?: string }>;
}

export interface AttestationSummary {
  attestationId: string;
  predicateType: string;
  subjectDigests: string[];
  envelopeDigest: string;
  keyIds: string[];
  logIndex: number;
  createdAt: string;
}

/** Image digests holding each queried package, from the scanner's component index. */
export interface ComponentQueryResult {
  purl: string;
  digests: string[];
}

/** The typed calls the policy service makes; every one throws UpstreamError when it cannot answer. */
export class IntelClients {
  constructor(readonly http: HttpUpstream) {}

  /** The image's CycloneDX SBOM, or null when the scanner has none (never scanned). */
  sbom(digest: string): Promise<Record<string, unknown> | null> {
    return this.http.json('scanner', `/api/v1/images/${digest}/sbom?format=cyclonedx-json`);
  }

  /** Which scanned images contain these packages (purl without version, optionally a version range). */
  async imagesContaining(packages: ReadonlyArray<{ purl: string; range?: string }>): Promise<ComponentQueryResult[]> {
    const response = await this.http.json<{ results?: unknown; packages?: unknown }>('scanner', '/api/v1/components/query', {
      method: 'POST',
      body: { packages },
    });
    const results = normaliseQueryResult(response);
    // A package in more images than one page holds: follow its cursor.
    const pages = Array.isArray((response as { results?: unknown } | null)?.results)
      ? ((response as { results: Array<{ purl?: unknown; range?: unknown; nextCursor?: unknown }> }).results)
      : [];
    for (const [index, page] of pages.entries()) {
      let cursor = typeof page.nextCursor === 'string' ? page.nextCursor : undefined;
      while (cursor !== undefined && results[index]) {
        const query = new URLSearchParams({ purl: String(page.purl), cursor, ...(typeof page.range === 'string' ? { range: page.range } : {}) });
        const next = await this.http.json<{ images?: Array<{ imageDigest: string }>; nextCursor?: string }>(
          'scanner',
          `/api/v1/components?${query.toString()}`,
        );
        results[index]!.digests.push(...(next?.images ?? []).map((i) => i.imageDigest));
        cursor = next?.nextCursor;
      }
    }
    return results;
  }

  async match(sbom: unknown, snapshotId?: string): Promise<MatchResponse | null> {
    return this.http.json<MatchResponse>('concelier', '/api/v1/match', {
      method: 'POST',
      body: { sbom, ...(snapshotId ? { snapshotId } : {}) },
    });
  }

  async consensus(vulnerabilityId: string, product: string): Promise<ConsensusResponse | null> {
    const query = new URLSearchParams({ vulnerability: vulnerabilityId, product });
    return this.http.json<ConsensusResponse>('excititor', `/api/v1/consensus?${query.toString()}`);
  }

  async attestations(subject: string): Promise<AttestationSummary[] | null> {
    const response = await this.http.json<{ attestations: AttestationSummary[] }>(
      'attestor',
      `/api/v1/attestations?subject=${encodeURIComponent(subject)}`,
    );
    return response === null ? null : response.attestations;
  }
}

/** Accepts `{results: [{purl, digests}]}` or `{packages: [{purl, images|digests: [...]}]}`. */
export function normaliseQueryResult(response: unknown): ComponentQueryResult[] {
  if (response === null || typeof response !== 'object') return [];
  const body = response as Record<string, unknown>;
  const rows = Array.isArray(body.results) ? body.results : Array.isArray(body.packages) ? body.packages : [];
  const out: ComponentQueryResult[] = [];
  for (const row of rows as Array<Record<string, unknown>>) {
    if (typeof row?.purl !== 'string') continue;
    const list = (row.digests ?? row.images ?? row.imageDigests) as unknown;
    const digests = Array.isArray(list)
      ? list
          .map((d) => (typeof d === 'string' ? d : (d as Record<string, unknown>)?.digest ?? (d as Record<string, unknown>)?.imageDigest))
          .filter((d): d is string => typeof d === 'string')
      : [];
    out.push({ purl: row.purl, digests });
  }
  return out;
}
