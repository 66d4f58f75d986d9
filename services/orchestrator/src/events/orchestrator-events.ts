import { Inject, Injectable } from '@nestjs/common';
import { buildEvent, type AnyCloudEvent, type EventDataInput, type EventType } from '@stella/contracts';
import type { Clock } from '../common/clock';
import type { TenantId } from '../common/tenancy';
import { ORCHESTRATOR_CLOCK } from '../common/tokens';

/** CloudEvents `source` of everything the orchestrator emits. */
export const ORCHESTRATOR_EVENT_SOURCE = '/stella/orchestrator';

export type OrchestratorEventType = Extract<EventType, `stella.orchestrator.${string}`>;

/** Builds validated orchestrator events; the unit of work writes them to the outbox at commit. */
@Injectable()
export class OrchestratorEvents {
  constructor(@Inject(ORCHESTRATOR_CLOCK) private readonly clock: Clock) {}

  build<T extends OrchestratorEventType>(
    type: T,
    tenant: TenantId,
    data: EventDataInput<T>,
    subject?: string,
    time?: Date,
  ): AnyCloudEvent {
    return buildEvent(type, {
      source: ORCHESTRATOR_EVENT_SOURCE,
      tenant,
      ...(subject === undefined ? {} : { subject }),
      data,
      time: time ?? this.clock.now(),
    }) as unknown as AnyCloudEvent;
  }
}
