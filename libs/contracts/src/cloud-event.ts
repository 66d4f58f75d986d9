import type { CloudEventEnvelope } from './envelope';
import type { EventData, EventType } from './events/catalogue';

/** A validated CloudEvent of one catalogued type. */
export type CloudEvent<T extends EventType = EventType> = Omit<CloudEventEnvelope, 'type' | 'data'> & {
  readonly type: T;
  readonly data: EventData<T>;
};

/** Any catalogued event; narrow on `type` to get typed `data`. */
export type AnyCloudEvent = { [T in EventType]: CloudEvent<T> }[EventType];
