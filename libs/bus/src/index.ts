export { BusError, isBusError, type BusErrorCode } from './errors';
export { silentLogger, type BusLogger } from './logger';
export { connectBus, type Bus, type ConnectBusOptions } from './connection';
export {
  deadLetterStream,
  deadLetterSubject,
  defineStream,
  ensureStreams,
  prefixedSubject,
  streamConfig,
  streamName,
  type EnsureStreamAction,
  type EnsureStreamResult,
  type StreamDefinition,
} from './streams';
export { publishEvent, eventHeaders, type PublishResult } from './publish';
export {
  addOutboxDeadLetter,
  createOutboxTables,
  dropOutboxTables,
  INBOX_TABLE,
  OUTBOX_CHANNEL,
  OUTBOX_TABLE,
} from './outbox/tables';
export { OutboxWriter, type EnqueueResult } from './outbox/writer';
export { OutboxRelay, type OutboxRelayOptions, type OutboxRelayStats } from './outbox/relay';
export {
  startConsumer,
  type ConsumerContext,
  type ConsumerStats,
  type EventHandler,
  type RunningConsumer,
  type StartConsumerOptions,
} from './consumer/consumer';
export { DLQ_HEADERS, type DeadLetterReason } from './consumer/dead-letter';
