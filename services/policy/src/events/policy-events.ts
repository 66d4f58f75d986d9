import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '@stella/bus';
import { buildEvent, type EventDataInput } from '@stella/contracts';
import type { EntityManager } from 'typeorm';

export const POLICY_EVENT_SOURCE = '/stella/policy';

/** Policy service events through the transactional outbox: an event exists iff its evaluation committed. */
@Injectable()
export class PolicyEvents {
  constructor(private readonly outbox: OutboxWriter) {}

  /** Several risk changes in one outbox statement (published in this order). */
  async riskChanged(
    manager: EntityManager,
    list: ReadonlyArray<EventDataInput<'stella.release.risk_changed'>>,
    time: Date,
  ): Promise<void> {
    if (list.length === 0) return;
    await this.outbox.enqueueMany(
      manager,
      list.map((data) =>
        buildEvent('stella.release.risk_changed', {
          source: POLICY_EVENT_SOURCE,
          tenant: data.tenantId,
          subject: `${data.release.id}/${data.environment}`,
          data,
          time,
        }),
      ),
    );
  }
}
