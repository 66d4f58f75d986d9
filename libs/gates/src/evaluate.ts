import type { GateEvaluation } from './decision-record';
import type { Gate, GateContext, GateResult } from './gate';

/** A gate's result under its name, with the evaluator version that produced it. */
export type NamedGateResult = GateResult & { name: string; engineVersion: string | null };

/** The evaluator to use for a configured gate name (current for live promotions, recorded for replay). */
export type GateLookup = (name: string) => Gate | undefined;

/** Runs the environment's gates in their configured order; a configured gate that is missing fails. */
export async function evaluateGates(
  context: GateContext,
  lookup: GateLookup,
  recorded: (name: string) => unknown = () => undefined,
): Promise<NamedGateResult[]> {
  const results: NamedGateResult[] = [];
  for (const name of context.environment.policy.gates) {
    const gate = lookup(name);
    const result: GateResult = gate
      ? await gate.evaluate(context, recorded(name))
      : // A gate configured but not installed in this process must not be skipped silently.
        { result: 'fail', reasons: [`gate ${name} is not available`], evidence: [] };
    results.push({ ...result, name, engineVersion: gate ? gate.engineVersion : null });
  }
  return results;
}

export type Verdict = 'allow' | 'deny' | 'pending';

/** Any fail denies; otherwise any pending waits; otherwise allow. */
export function verdictOf(results: readonly Pick<GateResult, 'result'>[]): Verdict {
  return results.some((r) => r.result === 'fail')
    ? 'deny'
    : results.some((r) => r.result === 'pending')
      ? 'pending'
      : 'allow';
}

/**
 * The reasons a final decision records: allow lists the warnings after "all gates passed"; deny
 * lists an explicit deny reason (e.g. a rejection) first, then every failing gate's reasons.
 */
export function decisionReasons(
  verdict: 'allow' | 'deny',
  results: readonly Pick<NamedGateResult, 'result' | 'reasons'>[],
  denyReason?: string,
): string[] {
  return verdict === 'allow'
    ? ['all gates passed', ...results.filter((r) => r.result === 'warn').flatMap((r) => r.reasons)]
    : [...(denyReason === undefined ? [] : [denyReason]), ...results.filter((r) => r.result === 'fail').flatMap((r) => r.reasons)];
}

/** Gate results as the decision record keeps them (evidence by name and digest only). */
export function gateEvaluations(results: readonly NamedGateResult[]): GateEvaluation[] {
  return results.map((r) => ({
    name: r.name,
    result: r.result,
    reasons: r.reasons,
    evidence: r.evidence.map((e) => ({ name: e.name, digest: e.digest })),
  }));
}
