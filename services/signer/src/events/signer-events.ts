import { OutboxWriter } from '@stella/bus';
import { buildEvent, type AnyCloudEvent, type EventDataInput, type EventType } from '@stella/contracts';
import type { EntityManager } from 'typeorm';

/** CloudEvents `source` of everything the signer emits. */
export const SIGNER_EVENT_SOURCE = '/stella/signer';

type SignerEventType = Extract<EventType, `stella.signer.${string}`>;

/** Signer events go through the transactional outbox: an event exists iff its change committed. */
export class SignerEvents {
  constructor(private readonly outbox: OutboxWriter) {}

  build<T extends SignerEventType>(
    type: T,
    data: EventDataInput<T> & { tenantId: string },
    time: Date,
    subject?: string,
  ): AnyCloudEvent {
    return buildEvent(type, {
      source: SIGNER_EVENT_SOURCE,
      tenant: data.tenantId,
      ...(subject === undefined ? {} : { subject }),
      data,
      time,
    }) as AnyCloudEvent;
  }

  async record<T extends SignerEventType>(
    manager: EntityManager,
    type: T,
    data: EventDataInput<T> & { tenantId: string },
    time: Date,
    subject?: string,
  ): Promise<void> {
    await this.outbox.enqueue(manager, this.build(type, data, time, subject));
  }

  async recordMany(manager: EntityManager, events: readonly AnyCloudEvent[]): Promise<void> {
    await this.outbox.enqueueMany(manager, events);
  }
}
