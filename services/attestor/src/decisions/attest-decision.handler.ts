import { buildDecisionRecordStatement, IN_TOTO_PAYLOAD_TYPE, statementBytes } from '@stella/attest';
import type { AnyCloudEvent } from '@stella/contracts';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { AttestationRepository } from '../attestations/attestation.repository';
import type { RecordAttestationUseCase } from '../attestations/record-attestation.usecase';
import type { Clock } from '../common/clock';
import type { AttestorEvents } from '../events/attestor-events';
import type { SignerClient } from './signer-client';

/** The event type consumed (owned by the orchestrator). */
export const DECISION_RECORDED_TYPE = 'stella.orchestrator.decision.recorded';
/** Purpose recorded in the signer's audit for every decision signature. */
export const DECISION_SIGNING_PURPOSE = 'decision-record';

/** The fields read from the orchestrator's event; the record itself is validated by libs/attest. */
const decisionEventSchema = z.object({
  tenantId: z.string().min(1),
  decisionId: z.string().min(1),
  record: z.record(z.string(), z.unknown()),
});

/**
 * `stella.orchestrator.decision.recorded` -> signed decision-record statement, logged, stored with
 * its inclusion proof, and `stella.attestor.decision.attested` in the outbox: all in the inbox
 * transaction, so a redelivered event changes nothing. The signer call is the one effect outside
 * it: a redelivery after a rolled-back attempt signs again (an extra signer audit row), but only
 * one signature is ever stored, logged or announced.
 */
export class AttestDecisionHandler {
  constructor(
    private readonly signer: SignerClient,
    private readonly recordAttestation: RecordAttestationUseCase,
    private readonly repository: AttestationRepository,
    private readonly events: AttestorEvents,
    private readonly clock: Clock,
  ) {}

  async handle(event: AnyCloudEvent, manager: EntityManager): Promise<void> {
    if (event.type !== DECISION_RECORDED_TYPE) return;
    const data = decisionEventSchema.parse(event.data);
    // A decision is attested once even if the orchestrator emitted it twice under two event ids.
    if (await this.repository.byDecision(manager, data.tenantId, data.decisionId)) return;
    const statement = buildDecisionRecordStatement(
      data.record as Parameters<typeof buildDecisionRecordStatement>[0],
    );
    const signed = await this.signer.sign({
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      payload: statementBytes(statement),
      purpose: DECISION_SIGNING_PURPOSE,
    });
    const recorded = await this.recordAttestation.executeInTransaction(manager, {
      tenantId: data.tenantId,
      envelope: signed.envelope,
      certificateChain: signed.certificateChain,
      decisionId: data.decisionId,
    });
    const subject = statement.subject[0]!;
    await this.events.record(
      manager,
      'stella.attestor.decision.attested',
      {
        tenantId: data.tenantId,
        decisionId: data.decisionId,
        attestationId: recorded.row.attestationId,
        releaseManifestDigest: `sha256:${subject.digest!.sha256!}`,
        envelopeDigest: recorded.row.envelopeDigest,
        keyId: signed.keyId,
        logIndex: recorded.row.logIndex,
        checkpointSize: recorded.row.checkpointSize,
      },
      this.clock.now(),
      data.decisionId,
    );
  }
}
