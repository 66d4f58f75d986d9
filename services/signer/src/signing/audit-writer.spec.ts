import type { AnyCloudEvent } from '@stella/contracts';
import type { DataSource } from 'typeorm';
import type { SignerEvents } from '../events/signer-events';
import { AuditWriter, type AuditEntry } from './audit-writer';

/** A database double: counts transactions, hands out sequence ids, can fail once. */
function fakeDatabase() {
  const state = { transactions: 0, inserted: 0, events: 0, nextId: 1, fail: false };
  const manager = {
    query: async (sql: string, params: unknown[]) => {
      if (sql.includes('nextval')) {
        if (state.fail) {
          state.fail = false;
          throw new Error('connection lost');
        }
        const count = params[1] as number;
        return Array.from({ length: count }, () => ({ id: String(state.nextId++) }));
      }
      state.inserted += (params[0] as unknown[]).length;
      return [];
    },
  };
  const dataSource = {
    transaction: async (work: (m: typeof manager) => Promise<unknown>) => {
      state.transactions += 1;
      return work(manager);
    },
  } as unknown as DataSource;
  const events = {
    build: (_type: string, data: unknown) => ({ data }) as unknown as AnyCloudEvent,
    recordMany: async (_m: unknown, list: readonly AnyCloudEvent[]) => {
      state.events += list.length;
    },
  } as unknown as SignerEvents;
  return { state, dataSource, events };
}

const entry = (purpose: string): AuditEntry => ({
  signedAt: new Date('2026-01-01T00:00:00Z'),
  keyId: 'k',
  algorithm: 'ed25519',
  tenantId: 'acme',
  clientId: 'c',
  subject: 'c',
  purpose,
  payloadType: 'text/plain',
  payloadSha256: '0'.repeat(64),
  signatureSha256: '1'.repeat(64),
  transport: 'http',
});

describe('AuditWriter (group commit)', () => {
  test('concurrent entries share one transaction; each gets its own id, with one event per entry', async () => {
    const { state, dataSource, events } = fakeDatabase();
    const writer = new AuditWriter(dataSource, 'signer', events, 1, 100);
    const ids = await Promise.all(['a', 'b', 'c', 'd'].map((p) => writer.record(entry(p))));
    expect(ids).toEqual(['1', '2', '3', '4']);
    expect(state.transactions).toBe(1);
    expect(state.inserted).toBe(4);
    expect(state.events).toBe(4);
    await writer.close();
  });

  test('a failed commit rejects every entry of the batch (nothing is released unaudited)', async () => {
    const { state, dataSource, events } = fakeDatabase();
    const writer = new AuditWriter(dataSource, 'signer', events, 1, 100);
    state.fail = true;
    const results = await Promise.allSettled([writer.record(entry('a')), writer.record(entry('b'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(writer.record(entry('c'))).resolves.toBe('1');
    await writer.close();
  });

  test('close flushes what is queued and refuses new entries', async () => {
    const { state, dataSource, events } = fakeDatabase();
    const writer = new AuditWriter(dataSource, 'signer', events, 1000, 100);
    const pending = writer.record(entry('late'));
    await writer.close();
    await expect(pending).resolves.toBe('1');
    expect(state.inserted).toBe(1);
    await expect(writer.record(entry('after'))).rejects.toThrow(/closed/);
  });
});
