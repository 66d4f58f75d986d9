import { evidenceOf, type Gate, type GateContext, type GateResult } from '../gate';

/**
 * A release enters an environment only after it was allowed (approved, deploying or deployed) in
 * the environment before it on the path; a path with allowSkip accepts any earlier environment.
 */
export class PreviousEnvironmentGate implements Gate {
  readonly name = 'previous-environment';
  readonly engineVersion = 'previous-environment/1';

  async evaluate(context: GateContext): Promise<GateResult> {
    const { environments, allowSkip } = context.path;
    const target = context.environment.name;
    const position = environments.indexOf(target);
    const evidence = [evidenceOf('promotion-path', { environments, allowSkip })];
    if (position <= 0) {
      return { result: 'pass', reasons: [`${target} is the first environment of the path`], evidence };
    }
    const previous = environments[position - 1]!;
    const success = context.priorSuccesses.find((s) => s.environment === previous);
    if (success) {
      return {
        result: 'pass',
        reasons: [`${context.release.name}@${context.release.version} was ${success.state} in ${previous}`],
        evidence: [...evidence, evidenceOf(`promotion:${success.promotionId}`, success)],
      };
    }
    const earlier = new Set(environments.slice(0, position));
    const skippedFrom = context.priorSuccesses.find((s) => earlier.has(s.environment));
    if (allowSkip) {
      return {
        result: 'warn',
        reasons: [`skips ${previous} (the path allows skipping)`],
        evidence: skippedFrom
          ? [...evidence, evidenceOf(`promotion:${skippedFrom.promotionId}`, skippedFrom)]
          : evidence,
      };
    }
    return {
      result: 'fail',
      reasons: [`${context.release.name}@${context.release.version} has not been approved or deployed in ${previous}, the environment before ${target}`],
      evidence,
      refusal: {
        code: 'PROMOTION_SKIPS_ENVIRONMENT',
        details: { environment: target, requiredEnvironment: previous },
      },
    };
  }
}
