import type { VexStatement, VexStatus } from '../formats/model';

/** A statement as stored, with who issued it and how much that issuer is trusted. */
export interface IssuedStatement extends VexStatement {
  /** Configured issuer id, or `unknown:<author>` when no configured issuer claims the document. */
  readonly issuer: string;
  /** 0 (ignored) .. 100; from the issuer configuration. */
  readonly trust: number;
  readonly signed: boolean;
  readonly documentId: string;
  readonly documentHash: string;
  /** Ingest order: breaks ties between statements with the same timestamp. */
  readonly sequence: number;
}

export type ConsensusStatus = VexStatus | 'conflict' | 'none';

export interface ExplainedStatement {
  readonly issuer: string;
  readonly trust: number;
  readonly status: VexStatus;
  readonly justification?: string;
  readonly impactStatement?: string;
  readonly timestamp: string;
  readonly signed: boolean;
  readonly documentId: string;
  readonly documentHash: string;
  readonly used: boolean;
  readonly reason: string;
}

export interface Consensus {
  readonly vulnerabilityId: string;
  readonly productKey: string;
  readonly status: ConsensusStatus;
  readonly justification?: string;
  readonly summary: string;
  readonly statements: readonly ExplainedStatement[];
}

const DEFINITIVE: ReadonlySet<VexStatus> = new Set(['not_affected', 'affected', 'fixed']);

/**
 * The status lattice (docs/reference/excititor.md):
 *
 *   none  <  under_investigation  <  { not_affected (justified), fixed, affected }
 *
 * 1. Statements of untrusted issuers (trust 0) are listed, never used.
 * 2. Each issuer's latest statement wins (statement time, then ingest order); earlier ones are listed as superseded.
 * 3. `not_affected` without a justification or an impact statement counts as `under_investigation`:
 *    an unexplained claim is not evidence.
 * 4. Any definitive statement outranks every `under_investigation`.
 * 5. Among definitive statements the highest trust wins; equally trusted issuers that disagree give
 *    `conflict`, with both sides listed. Nothing is resolved silently.
 */
export function computeConsensus(
  vulnerabilityId: string,
  productKey: string,
  statements: readonly IssuedStatement[],
): Consensus {
  const explained = new Map<IssuedStatement, { used: boolean; reason: string }>();
  const trusted = statements.filter((s) => {
    if (s.trust > 0) return true;
    explained.set(s, { used: false, reason: `issuer ${s.issuer} is not trusted (trust 0)` });
    return false;
  });
  const latest = new Map<string, IssuedStatement>();
  for (const s of [...trusted].sort((a, b) => compareTime(a, b))) latest.set(s.issuer, s);
  for (const s of trusted) {
    const winner = latest.get(s.issuer)!;
    if (winner !== s)
      explained.set(s, {
        used: false,
        reason: `superseded by ${s.issuer}'s later statement (${winner.timestamp || 'ingested later'})`,
      });
  }
  const current = [...latest.values()];
  const effective = (s: IssuedStatement): VexStatus =>
    s.status === 'not_affected' && !s.justification && !s.impactStatement ? 'under_investigation' : s.status;
  const definitive = current.filter((s) => DEFINITIVE.has(effective(s)));
  let status: ConsensusStatus;
  let summary: string;
  let justification: string | undefined;
  if (definitive.length === 0) {
    for (const s of current)
      explained.set(s, {
        used: true,
        reason:
          s.status === 'not_affected'
            ? 'not_affected without justification or impact statement counts as under_investigation'
            : 'latest statement of its issuer',
      });
    status = current.length > 0 ? 'under_investigation' : 'none';
    summary =
      current.length > 0
        ? `under_investigation: no trusted issuer made a definitive statement (${current.map((s) => s.issuer).join(', ')})`
        : statements.length > 0
          ? 'none: no statement from a trusted issuer'
          : 'none: no statements';
  } else {
    const top = Math.max(...definitive.map((s) => s.trust));
    const winners = definitive
      .filter((s) => s.trust === top)
      .sort((a, b) => (a.issuer < b.issuer ? -1 : a.issuer > b.issuer ? 1 : 0));
    const statuses = [...new Set(winners.map(effective))];
    for (const s of current) {
      if (winners.includes(s)) continue;
      explained.set(s, {
        used: false,
        reason: DEFINITIVE.has(effective(s))
          ? `outranked by ${winners.map((w) => w.issuer).join(', ')} (trust ${top} > ${s.trust})`
          : `${effective(s)} is outranked by a definitive statement from ${winners.map((w) => w.issuer).join(', ')}`,
      });
    }
    if (statuses.length === 1) {
      status = statuses[0]!;
      justification = winners.find((w) => w.justification)?.justification;
      for (const s of winners)
        explained.set(s, {
          used: true,
          reason: `definitive statement from the most trusted issuer(s) (trust ${top})`,
        });
      const why = justification
        ? ` (${justification})`
        : winners[0]!.impactStatement
          ? ` (${winners[0]!.impactStatement})`
          : '';
      summary = `${status}${why} from ${winners.map((w) => w.issuer).join(', ')} (trust ${top})`;
      const outranked = current.filter((s) => !winners.includes(s));
      if (outranked.length > 0)
        summary += `; outranks ${outranked.map((s) => `${s.issuer}'s ${s.status}`).join(', ')}`;
    } else {
      status = 'conflict';
      for (const s of winners)
        explained.set(s, { used: true, reason: `conflicts with an equally trusted issuer (trust ${top})` });
      summary = `conflict: equally trusted issuers disagree (trust ${top}): ${winners.map((w) => `${w.issuer} says ${effective(w)}`).join('; ')}`;
    }
  }
  return {
    vulnerabilityId,
    productKey,
    status,
    ...(justification ? { justification } : {}),
    summary,
    statements: [...statements]
      .sort((a, b) => compareTime(b, a))
      .map((s) => ({
        issuer: s.issuer,
        trust: s.trust,
        status: s.status,
        ...(s.justification ? { justification: s.justification } : {}),
        ...(s.impactStatement ? { impactStatement: s.impactStatement } : {}),
        timestamp: s.timestamp,
        signed: s.signed,
        documentId: s.documentId,
        documentHash: s.documentHash,
        ...explained.get(s)!,
      })),
  };
}

function compareTime(a: IssuedStatement, b: IssuedStatement): number {
  const ta = Date.parse(a.timestamp);
  const tb = Date.parse(b.timestamp);
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  return a.sequence - b.sequence;
}
