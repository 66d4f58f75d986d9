import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@stella/auth';
import { OutboxWriter } from '@stella/bus';
import { buildEvent, type EventDataInput, type EventType } from '@stella/contracts';
import { STELLA_CONFIG } from '@stella/platform';
import type { EntityManager } from 'typeorm';
import { AUTHORITY_CLOCK } from '../common/tokens';
import type { AuthorityConfig } from '../config/authority-config';
import { schemaFor } from '../persistence/persistence.module';

/** CloudEvents `source` of everything the authority emits. */
export const AUTHORITY_EVENT_SOURCE = '/stella/authority';

type AuthorityEventType = Extract<EventType, `stella.authority.${string}`>;

/**
 * Records authority events in the transactional outbox: an event exists if and only if the change
 * it describes committed. The relay publishes them to JetStream afterwards.
 */
@Injectable()
export class AuthorityEvents {
  private readonly outbox: OutboxWriter;

  constructor(
    @Inject(STELLA_CONFIG) config: AuthorityConfig,
    @Inject(AUTHORITY_CLOCK) private readonly clock: Clock,
  ) {
    this.outbox = new OutboxWriter(schemaFor(config));
  }

  async record<T extends AuthorityEventType>(
    manager: EntityManager,
    type: T,
    data: EventDataInput<T> & { tenantId: string },
    subject?: string,
  ): Promise<void> {
    const event = buildEvent(type, {
      source: AUTHORITY_EVENT_SOURCE,
      tenant: data.tenantId,
      ...(subject === undefined ? {} : { subject }),
      data,
      time: new Date(this.clock.now()),
    });
    await this.outbox.enqueue(manager, event);
  }
}
