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
