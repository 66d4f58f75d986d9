import type { EntityManager } from 'typeorm';
import { buildEvent } from '@stella/contracts';
import { OutboxWriter } from './writer';

function fakeManager(inTransaction: boolean, insertedIds: string[]) {
  const calls: Array<{ sql: string; params: unknown[] }> = [];
  const manager = {
    queryRunner: { isTransactionActive: inTransaction },
    query: async (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      return insertedIds.map((event_id) => ({ event_id }));
    },
  } as unknown as EntityManager;
  return { manager, calls };
}

const event = (n: number) =>
  buildEvent('stella.authority.user.disabled', {
    source: '/stella/authority',
    tenant: 'acme',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    data: { tenantId: 'acme', userId: `u${n}`, actor: { type: 'user', id: 'admin' } },
  });

describe('OutboxWriter', () => {
  it('inserts validated events in order with one NOTIFY for the schema, in the caller transaction', async () => {
    const [a, b] = [event(1), event(2)];
    const { manager, calls } = fakeManager(true, [a.id]);
    const results = await new OutboxWriter('authority').enqueueMany(manager, [a, b]);
    expect(results).toEqual([{ inserted: true }, { inserted: false }]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.sql).toContain('INSERT INTO "authority".stella_outbox');
    expect(calls[0]!.sql).toContain("pg_notify('stella_outbox', $9)");
    expect(calls[0]!.params).toEqual([
      a.id,
      a.type,
      JSON.stringify(a),
      a.traceparent,
      b.id,
      b.type,
      JSON.stringify(b),
      b.traceparent,
      'authority',
    ]);
  });

  it('refuses a manager outside a transaction', async () => {
    const { manager, calls } = fakeManager(false, []);
    await expect(new OutboxWriter('authority').enqueue(manager, event(1))).rejects.toMatchObject({
      code: 'OUTBOX_REQUIRES_TRANSACTION',
    });
    expect(calls).toHaveLength(0);
  });

  it('refuses events that do not validate, before any SQL', async () => {
    const { manager, calls } = fakeManager(true, []);
    const invalid = { ...event(1), time: 'yesterday' };
    await expect(new OutboxWriter('authority').enqueue(manager, invalid)).rejects.toMatchObject({
      code: 'INVALID_ENVELOPE',
    });
    expect(calls).toHaveLength(0);
  });

  it('refuses an invalid schema name', () => {
    expect(() => new OutboxWriter('Authority; drop')).toThrow(/invalid schema name/);
  });
});
