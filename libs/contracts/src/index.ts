export { ContractError, isContractError, type ContractErrorCode, type ContractIssue } from './errors';
export {
  CLOUDEVENTS_CONTENT_TYPE,
  EVENT_ID_PATTERN,
  EVENT_TYPE_PATTERN,
  TENANT_ID_PATTERN,
  cloudEventEnvelopeSchema,
  dataSchemaUrn,
  formatEventTime,
  type CloudEventEnvelope,
} from './envelope';
export { UuidV7Generator, newEventId, deriveEventId } from './event-id';
export { defineEvent, type EventDefinition } from './define-event';
export type { CloudEvent, AnyCloudEvent } from './cloud-event';
export {
  currentEventDefinition,
  eventDefinitionFor,
  isKnownEventType,
  listEventDefinitions,
  type EventCatalogue,
  type EventData,
  type EventDataInput,
  type EventType,
} from './events/catalogue';
export { buildEvent, parseEvent, decodeEvent, encodeEvent, type BuildEventInput } from './build-event';
export { eventSubject, SUBJECT_PREFIX_PATTERN } from './subject';
export { actorSchema, type Actor } from './events/common';
export * from './events/authority/tenant-created.v1';
export * from './events/authority/client-created.v1';
export * from './events/authority/client-updated.v1';
export * from './events/authority/client-disabled.v1';
export * from './events/authority/client-secret-rotated.v1';
export * from './events/authority/user-created.v1';
export * from './events/authority/user-updated.v1';
export * from './events/authority/user-disabled.v1';
export * from './events/authority/role-assigned.v1';
export * from './events/authority/signing-key-rotated.v1';
export * from './events/authority/login-failed.v1';
export * from './events/signer/signature-created.v1';
export * from './events/signer/key-rotated.v1';
export * from './events/signer/key-revoked.v1';
export * from './events/attestor/decision-attested.v1';
export * from './events/attestor/attestation-recorded.v1';
export * from './events/orchestrator/common';
export * from './events/orchestrator/environment-created.v1';
export * from './events/orchestrator/environment-updated.v1';
export * from './events/orchestrator/promotion-path-updated.v1';
export * from './events/orchestrator/component-created.v1';
export * from './events/orchestrator/release-created.v1';
export * from './events/orchestrator/release-candidate-ignored.v1';
export * from './events/orchestrator/promotion-requested.v1';
export * from './events/orchestrator/promotion-evaluating.v1';
export * from './events/orchestrator/promotion-awaiting-approval.v1';
export * from './events/orchestrator/promotion-approved.v1';
export * from './events/orchestrator/promotion-deploying.v1';
export * from './events/orchestrator/promotion-deployed.v1';
export * from './events/orchestrator/promotion-rejected.v1';
export * from './events/orchestrator/promotion-failed.v1';
export * from './events/orchestrator/promotion-cancelled.v1';
export * from './events/orchestrator/approval-recorded.v1';
export * from './events/orchestrator/decision-recorded.v1';
export * from './events/advisory/advisory-upserted.v1';
export * from './events/advisory/advisory-enriched.v1';
export * from './events/vex/vex-updated.v1';
export * from './events/vex/vex-issuer-updated.v1';
export * from './events/policy/release-risk-changed.v1';
export * from './events/scan/common';
export * from './events/scan/scan-requested.v1';
export * from './events/scan/scan-completed.v1';
export * from './events/scan/scan-failed.v1';
export * from './events/export/packet-stored.v1';
export * from './events/export/audit-pack-created.v1';
