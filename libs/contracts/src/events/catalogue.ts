// The catalogue of every event type Stella publishes. Types and subjects are append-only: never
// rename or remove one without a migration; a breaking change is a new version (add the new
// definition here and keep the old one parseable until no stream holds it).
import type { z } from 'zod';
import type { EventDefinition } from '../define-event';
import { clientCreatedV1 } from './authority/client-created.v1';
import { clientDisabledV1 } from './authority/client-disabled.v1';
import { clientSecretRotatedV1 } from './authority/client-secret-rotated.v1';
import { clientUpdatedV1 } from './authority/client-updated.v1';
import { loginFailedV1 } from './authority/login-failed.v1';
import { roleAssignedV1 } from './authority/role-assigned.v1';
import { signingKeyRotatedV1 } from './authority/signing-key-rotated.v1';
import { tenantCreatedV1 } from './authority/tenant-created.v1';
import { userCreatedV1 } from './authority/user-created.v1';
import { userDisabledV1 } from './authority/user-disabled.v1';
import { userUpdatedV1 } from './authority/user-updated.v1';
import { signatureCreatedV1 } from './signer/signature-created.v1';
import { signerKeyRotatedV1 } from './signer/key-rotated.v1';
import { signerKeyRevokedV1 } from './signer/key-revoked.v1';
import { decisionAttestedV1 } from './attestor/decision-attested.v1';
import { attestationRecordedV1 } from './attestor/attestation-recorded.v1';
import { environmentCreatedV1 } from './orchestrator/environment-created.v1';
import { environmentUpdatedV1 } from './orchestrator/environment-updated.v1';
import { promotionPathUpdatedV1 } from './orchestrator/promotion-path-updated.v1';
import { componentCreatedV1 } from './orchestrator/component-created.v1';
import { releaseCreatedV1 } from './orchestrator/release-created.v1';
import { releaseCandidateIgnoredV1 } from './orchestrator/release-candidate-ignored.v1';
import { promotionRequestedV1 } from './orchestrator/promotion-requested.v1';
import { promotionEvaluatingV1 } from './orchestrator/promotion-evaluating.v1';
import { promotionAwaitingApprovalV1 } from './orchestrator/promotion-awaiting-approval.v1';
import { promotionApprovedV1 } from './orchestrator/promotion-approved.v1';
import { promotionDeployingV1 } from './orchestrator/promotion-deploying.v1';
import { promotionDeployedV1 } from './orchestrator/promotion-deployed.v1';
import { promotionRejectedV1 } from './orchestrator/promotion-rejected.v1';
import { promotionFailedV1 } from './orchestrator/promotion-failed.v1';
import { promotionCancelledV1 } from './orchestrator/promotion-cancelled.v1';
import { approvalRecordedV1 } from './orchestrator/approval-recorded.v1';
import { decisionRecordedV1 } from './orchestrator/decision-recorded.v1';
import { advisoryUpsertedV1 } from './advisory/advisory-upserted.v1';
import { advisoryEnrichedV1 } from './advisory/advisory-enriched.v1';
import { vexUpdatedV1 } from './vex/vex-updated.v1';
import { vexIssuerUpdatedV1 } from './vex/vex-issuer-updated.v1';
import { releaseRiskChangedV1 } from './policy/release-risk-changed.v1';
import { scanRequestedV1 } from './scan/scan-requested.v1';
import { scanCompletedV1 } from './scan/scan-completed.v1';
import { scanFailedV1 } from './scan/scan-failed.v1';
import { packetStoredV1 } from './export/packet-stored.v1';
import { auditPackCreatedV1 } from './export/audit-pack-created.v1';

/** The version of each type that producers emit today. */
const currentDefinitions = [
  tenantCreatedV1,
  clientCreatedV1,
  clientUpdatedV1,
  clientDisabledV1,
  clientSecretRotatedV1,
  userCreatedV1,
  userUpdatedV1,
  userDisabledV1,
  roleAssignedV1,
  signingKeyRotatedV1,
  loginFailedV1,
  signatureCreatedV1,
  signerKeyRotatedV1,
  signerKeyRevokedV1,
  decisionAttestedV1,
  attestationRecordedV1,
  environmentCreatedV1,
  environmentUpdatedV1,
  promotionPathUpdatedV1,
  componentCreatedV1,
  releaseCreatedV1,
  releaseCandidateIgnoredV1,
  promotionRequestedV1,
  promotionEvaluatingV1,
  promotionAwaitingApprovalV1,
  promotionApprovedV1,
  promotionDeployingV1,
  promotionDeployedV1,
  promotionRejectedV1,
  promotionFailedV1,
  promotionCancelledV1,
  approvalRecordedV1,
  decisionRecordedV1,
  advisoryUpsertedV1,
  advisoryEnrichedV1,
  vexUpdatedV1,
  vexIssuerUpdatedV1,
  releaseRiskChangedV1,
  scanRequestedV1,
  scanCompletedV1,
  scanFailedV1,
  packetStoredV1,
  auditPackCreatedV1,
] as const;

type CurrentDefinition = (typeof currentDefinitions)[number];

/** Event type -> its current definition (the typed map behind `buildEvent`). */
export type EventCatalogue = { [D in CurrentDefinition as D['type']]: D };
export type EventType = keyof EventCatalogue;
/** `data` as producers pass it (before zod defaults/transforms). */
export type EventDataInput<T extends EventType> = z.input<EventCatalogue[T]['schema']>;
/** `data` as consumers receive it. */
export type EventData<T extends EventType> = z.output<EventCatalogue[T]['schema']>;

function indexCatalogue(definitions: readonly EventDefinition[]) {
  const byType = new Map<string, EventDefinition>();
  const byTypeAndVersion = new Map<string, EventDefinition>();
  for (const definition of definitions) {
    const key = `${definition.type}@v${definition.version}`;
    if (byTypeAndVersion.has(key)) throw new Error(`event catalogue lists ${key} twice`);
    byTypeAndVersion.set(key, definition);
    const current = byType.get(definition.type);
    if (!current || current.version < definition.version) byType.set(definition.type, definition);
  }
  return { byType, byTypeAndVersion };
}

const index = indexCatalogue(currentDefinitions);

/** Every registered definition (all versions), for docs and contract tests. */
export function listEventDefinitions(): readonly EventDefinition[] {
  return [...index.byTypeAndVersion.values()];
}

export function currentEventDefinition<T extends EventType>(type: T): EventCatalogue[T];
export function currentEventDefinition(type: string): EventDefinition | undefined;
export function currentEventDefinition(type: string): EventDefinition | undefined {
  return index.byType.get(type);
}

export function eventDefinitionFor(type: string, version: number): EventDefinition | undefined {
  return index.byTypeAndVersion.get(`${type}@v${version}`);
}

export function isKnownEventType(type: string): type is EventType {
  return index.byType.has(type);
}
