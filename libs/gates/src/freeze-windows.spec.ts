import { activeFreeze, freezeWindowSchema, type FreezeWindow } from './freeze-windows';

const fridays: FreezeWindow = { kind: 'recurring', name: 'weekend', cron: '0 16 * * 5', durationMinutes: 64 * 60 };
const range: FreezeWindow = { kind: 'range', name: 'q-close', start: '2030-03-31T00:00:00Z', end: '2030-04-02T00:00:00Z', reason: 'quarter close' };

describe('freeze windows', () => {
  it('covers a UTC range from start (inclusive) to end (exclusive)', () => {
    expect(activeFreeze([range], new Date('2030-03-30T23:59:59.999Z'))).toBeUndefined();
    expect(activeFreeze([range], new Date('2030-03-31T00:00:00.000Z'))).toEqual({
      name: 'q-close',
      kind: 'range',
      start: '2030-03-31T00:00:00.000Z',
      end: '2030-04-02T00:00:00.000Z',
      reason: 'quarter close',
    });
    expect(activeFreeze([range], new Date('2030-04-02T00:00:00.000Z'))).toBeUndefined();
  });

  it('covers each occurrence of a recurring window for its duration (Friday 16:00 to Monday 08:00 UTC)', () => {
    // 2030-01-04 is a Friday.
    expect(activeFreeze([fridays], new Date('2030-01-04T15:59:59.000Z'))).toBeUndefined();
    expect(activeFreeze([fridays], new Date('2030-01-04T16:00:00.000Z'))).toMatchObject({ start: '2030-01-04T16:00:00.000Z', end: '2030-01-07T08:00:00.000Z' });
    expect(activeFreeze([fridays], new Date('2030-01-06T12:00:00.000Z'))).toMatchObject({ name: 'weekend', cron: '0 16 * * 5' });
    expect(activeFreeze([fridays], new Date('2030-01-07T08:00:00.000Z'))).toBeUndefined();
  });

  it('returns the first matching window in configured order', () => {
    expect(activeFreeze([range, fridays], new Date('2030-04-01T00:00:00Z'))?.name).toBe('q-close');
  });

  it('refuses bad windows', () => {
    expect(freezeWindowSchema.safeParse({ kind: 'range', name: 'x', start: '2030-01-02T00:00:00Z', end: '2030-01-01T00:00:00Z' }).success).toBe(false);
    expect(freezeWindowSchema.safeParse({ kind: 'range', name: 'x', start: '2030-01-01T00:00:00+02:00', end: '2030-01-02T00:00:00Z' }).success).toBe(false);
    for (const cron of ['61 * * * *', '0 0 30 2 *', '0 0 * * * *', 'every friday']) {
      expect(freezeWindowSchema.safeParse({ kind: 'recurring', name: 'x', cron, durationMinutes: 60 }).success).toBe(false);
    }
    expect(freezeWindowSchema.safeParse({ ...fridays, durationMinutes: 0 }).success).toBe(false);
  });
});
