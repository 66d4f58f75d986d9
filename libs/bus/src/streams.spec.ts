import { DiscardPolicy, RetentionPolicy, StorageType } from 'nats';
import { BusError } from './errors';
import { deadLetterStream, deadLetterSubject, defineStream, streamConfig, streamName } from './streams';

describe('stream definitions', () => {
  const authority = defineStream({
    name: 'AUTHORITY',
    subjects: ['authority.>'],
    maxAgeDays: 7,
    description: 'authority events',
  });

  it('maps to a prefixed JetStream config with an explicit duplicate window', () => {
    expect(streamConfig('prod', authority)).toEqual({
      name: 'PROD_AUTHORITY',
      subjects: ['prod.authority.>'],
      description: 'authority events',
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: 7 * 86_400_000_000_000,
      max_bytes: -1,
      duplicate_window: 120_000_000_000,
      num_replicas: 1,
    });
  });

  it('names the dead-letter stream and subjects under the prefix', () => {
    expect(streamConfig('prod', deadLetterStream)).toMatchObject({
      name: 'PROD_DLQ',
      subjects: ['prod.dlq.>'],
    });
    expect(deadLetterSubject('prod', 'notify-authority')).toBe('prod.dlq.notify-authority');
    expect(streamName('t-1', authority)).toBe('T_1_AUTHORITY');
  });

  it.each([
    { name: 'authority', subjects: ['authority.>'], maxAgeDays: 1 },
    { name: 'DLQ', subjects: ['x.>'], maxAgeDays: 1 },
    { name: 'A', subjects: [], maxAgeDays: 1 },
    { name: 'A', subjects: ['dlq.>'], maxAgeDays: 1 },
    { name: 'A', subjects: ['a.>.b'], maxAgeDays: 1 },
    { name: 'A', subjects: ['a'], maxAgeDays: 0 },
    { name: 'A', subjects: ['a'], maxAgeDays: 1, duplicateWindowMs: 500 },
  ])('refuses %j', (definition) => {
    expect(() => defineStream(definition)).toThrow(BusError);
  });

  it('returns a frozen copy', () => {
    expect(Object.isFrozen(authority)).toBe(true);
    expect(Object.isFrozen(authority.subjects)).toBe(true);
  });
});
