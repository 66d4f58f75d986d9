import { activeFreeze } from '../freeze-windows';
import { evidenceOf, type Gate, type GateContext, type GateEvidence, type GateResult } from '../gate';

/** Refuses promotions into a frozen environment, unless break-glass (recorded as a warning). */
export class FreezeWindowGate implements Gate {
  readonly name = 'freeze-window';
  readonly engineVersion = 'freeze-window/1';

  async evaluate(context: GateContext): Promise<GateResult> {
    const windows = context.environment.policy.freezeWindows;
    const evidence: GateEvidence[] = [evidenceOf('freeze-windows', windows)];
    const freeze = activeFreeze(windows, context.now);
    if (!freeze) return { result: 'pass', reasons: [`${context.environment.name} is not frozen`], evidence };
    const described = `${context.environment.name} is frozen by window "${freeze.name}" from ${freeze.start} to ${freeze.end}`;
    const breakGlass = context.promotion.breakGlass;
    if (breakGlass) {
      return {
        result: 'warn',
        reasons: [described, `break-glass by ${breakGlass.by}: ${breakGlass.reason}`],
        evidence: [...evidence, evidenceOf('break-glass', breakGlass)],
      };
    }
    return {
      result: 'fail',
      reasons: [described],
      evidence,
      refusal: { code: 'ENVIRONMENT_FROZEN', details: { environment: context.environment.name, window: freeze } },
    };
  }
}
