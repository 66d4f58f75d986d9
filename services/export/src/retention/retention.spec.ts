import { retentionOf } from './retention';

describe('retention classes', () => {
  const policy = { regulatedEnvironments: ['prod'], standardDays: 365, regulatedDays: 2557 };
  const decidedAt = new Date('2030-01-01T00:00:00.000Z');

  it('keeps regulated environments longer, counting from the decision', () => {
    expect(retentionOf(policy, 'prod', decidedAt)).toEqual({ retentionClass: 'regulated', expiresAt: new Date('2037-01-01T00:00:00.000Z') });
    expect(retentionOf(policy, 'dev', decidedAt)).toEqual({ retentionClass: 'standard', expiresAt: new Date('2031-01-01T00:00:00.000Z') });
  });

  it('is a pure function of its inputs (the same decision always expires at the same instant)', () => {
    expect(retentionOf(policy, 'stage', decidedAt)).toEqual(retentionOf(policy, 'stage', new Date(decidedAt)));
  });
});
