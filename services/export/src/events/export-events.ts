import { OutboxWriter } from '@stella/bus';
import { buildEvent, type EventDataInput, type EventType } from '@stella/contracts';
import type { EntityManager } from 'typeorm';

export const EXPORT_EVENT_SOURCE = '/stella/export';

type ExportEventType = Extract<EventType, `stella.export.${string}`>;

/** Export events through the transactional outbox: an event exists iff its change committed. */
export class ExportEvents {
  constructor(private readonly outbox: OutboxWriter) {}

  async record<T extends ExportEventType>(manager: EntityManager, type: T, data: EventDataInput<T> & { tenantId: string }, time: Date, subject: string): Promise<void> {
    await this.outbox.enqueue(manager, buildEvent(type, { source: EXPORT_EVENT_SOURCE, tenant: data.tenantId, subject, data, time }));
  }
}
