import { OutboxWriter } from '@stella/bus';
import { buildEvent, type EventDataInput, type EventType } from '@stella/contracts';
import type { EntityManager } from 'typeorm';

export const ATTESTOR_EVENT_SOURCE = '/stella/attestor';

type AttestorEventType = Extract<EventType, `stella.attestor.${string}`>;

/** Attestor events through the transactional outbox: an event exists iff its change committed. */
export class AttestorEvents {
  constructor(private readonly outbox: OutboxWriter) {}

  async record<T extends AttestorEventType>(
    manager: EntityManager,
    type: T,
    data: EventDataInput<T> & { tenantId: string },
    time: Date,
    subject?: string,
  ): Promise<void> {
    await this.outbox.enqueue(
      manager,
      buildEvent(type, {
        source: ATTESTOR_EVENT_SOURCE,
        tenant: data.tenantId,
        ...(subject === undefined ? {} : { subject }),
        data,
        time,
      }),
    );
  }
}
