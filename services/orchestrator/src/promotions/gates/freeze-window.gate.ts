import { digestOf } from '@stella/canonical';
import { activeFreeze } from '../../environments/freeze-windows';
import type { EvidenceRef, Gate, GateContext, GateResult } from './gate';

/** Refuses promotions into a frozen environment, unless break-glass (recorded as a warning). */
export class FreezeWindowGate implements Gate {
  readonly name = 'freeze-window';

  async evaluate(context: GateContext): Promise<GateResult> {
    const windows = context.environment.policy.freezeWindows;
    const evidence: EvidenceRef[] = [{ name: 'freeze-windows', digest: digestOf(windows) }];
    const freeze = activeFreeze(windows, context.now);
    if (!freeze) return { result: 'pass', reasons: [`${context.environment.name} is not frozen`], evidence };
    const described = `${context.environment.name} is frozen by window "${freeze.name}" from ${freeze.start} to ${freeze.end}`;
    const breakGlass = context.promotion.breakGlass;
    if (breakGlass) {
      return {
        result: 'warn',
        reasons: [described, `break-glass by ${breakGlass.by}: ${breakGlass.reason}`],
        evidence: [...evidence, { name: 'break-glass', digest: digestOf(breakGlass) }],
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
