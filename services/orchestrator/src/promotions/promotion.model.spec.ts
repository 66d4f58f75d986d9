import { OrchestratorError } from '../common/errors';
import { assertTransition, canTransition, FINAL_STATES, PROMOTION_STATES } from './promotion.model';

describe('promotion state machine', () => {
  it('allows exactly the documented transitions', () => {
    const allowed = PROMOTION_STATES.flatMap((from) => PROMOTION_STATES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(allowed).toEqual([
      'requested->evaluating',
      'evaluating->awaiting_approval',
      'evaluating->approved',
      'evaluating->rejected',
      'awaiting_approval->approved',
      'awaiting_approval->rejected',
      'awaiting_approval->cancelled',
      'approved->deploying',
      'approved->cancelled',
      'deploying->deployed',
      'deploying->failed',
    ]);
    expect(canTransition(null, 'requested')).toBe(true);
    expect(canTransition(null, 'approved')).toBe(false);
  });

  it('never leaves a final state', () => {
    for (const state of FINAL_STATES) for (const to of PROMOTION_STATES) expect(canTransition(state, to)).toBe(false);
  });

  it('refuses a forbidden move with INVALID_STATE naming both states', () => {
    expect(() => assertTransition('deployed', 'deploying')).toThrow(OrchestratorError);
    try {
      assertTransition('rejected', 'approved');
    } catch (error) {
      expect((error as OrchestratorError).details).toEqual({ from: 'rejected', to: 'approved' });
      expect((error as OrchestratorError).httpStatus).toBe(409);
    }
  });
});
