import { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } from 'ae-cvss-calculator';
import type { CvssScore, CvssVersion, SeverityLevel } from './model';

// Base metrics each version requires; a vector missing one has no base score (the calculator
// would fill it with "not defined" and answer undefined, which must not look like a score).
const REQUIRED_BASE_METRICS: Record<CvssVersion, readonly string[]> = {
  '2.0': ['AV', 'AC', 'Au', 'C', 'I', 'A'],
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
};

const VECTOR_TEXT = /^[A-Za-z0-9:./()]{1,512}$/;

/** The CVSS version a vector is written in, or null if it is not a CVSS vector at all. */
export function cvssVersionOf(vector: string): CvssVersion | null {
  if (!VECTOR_TEXT.test(vector)) return null;
  if (vector.startsWith('CVSS:4.0/')) return '4.0';
  if (vector.startsWith('CVSS:3.1/')) return '3.1';
  if (vector.startsWith('CVSS:3.0/')) return '3.0';
  if (/^\(?AV:[LAN]\//.test(vector)) return '2.0';
  return null;
}

function metricsOf(vector: string): Map<string, string> {
  const body = vector.replace(/^CVSS:\d\.\d\//, '').replace(/^\((.*)\)$/, '$1');
  const metrics = new Map<string, string>();
  for (const part of body.split('/')) {
    const [name, value] = part.split(':');
    if (name && value) metrics.set(name, value);
  }
  return metrics;
}

/** Qualitative rating of a base score (FIRST's table; v2 has no NONE/CRITICAL, NVD maps it so). */
export function severityOfScore(score: number, version: CvssVersion): SeverityLevel {
  if (version === '2.0') return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  if (score === 0) return 'NONE';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

/**
 * Scores a CVSS v2/v3.0/v3.1/v4.0 vector with ae-cvss-calculator (maintained, covers all four
 * versions, checked against FIRST's calculators). Returns null for text that is not a vector.
 */
export function scoreCvss(vector: string, source?: string): CvssScore | null {
  const trimmed = vector.trim();
  const version = cvssVersionOf(trimmed);
  if (!version) return null;
  const metrics = metricsOf(trimmed);
  const complete = REQUIRED_BASE_METRICS[version].every((m) => metrics.has(m));
  let baseScore: number | null = null;
  if (complete) {
    try {
      const calculator =
        version === '4.0'
          ? new Cvss4P0(trimmed)
          : version === '3.1'
            ? new Cvss3P1(trimmed)
            : version === '3.0'
              ? new Cvss3P0(trimmed)
              : new Cvss2(trimmed.replace(/^\((.*)\)$/, '$1'));
      const base = calculator.calculateScores().base;
      baseScore = typeof base === 'number' && Number.isFinite(base) ? base : null;
    } catch {
      baseScore = null;
    }
  }
  return {
    version,
    vector: trimmed,
    baseScore,
    severity: baseScore === null ? null : severityOfScore(baseScore, version),
    ...(source ? { source } : {}),
  };
}

const VERSION_RANK: Record<CvssVersion, number> = { '3.1': 4, '3.0': 3, '4.0': 2, '2.0': 1 };

/**
 * The score a finding is ranked by: the newest v3 score if any (what most feeds and policies are
 * calibrated on), else v4, else v2; the highest score among equals.
 */
export function primaryCvss(scores: readonly CvssScore[]): CvssScore | null {
  let best: CvssScore | null = null;
  for (const score of scores) {
    if (score.baseScore === null) continue;
    if (
      !best ||
      VERSION_RANK[score.version] > VERSION_RANK[best.version] ||
      (VERSION_RANK[score.version] === VERSION_RANK[best.version] && score.baseScore > (best.baseScore ?? -1))
    )
      best = score;
  }
  return best;
}
