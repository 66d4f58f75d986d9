import { sha256Digest } from '@stella/canonical';
import { currentEventDefinition, type AnyCloudEvent } from '@stella/contracts';
import { buildDecisionPacket, isEvidenceError, policyReferenceOf, verifyArchive, type AttestationReference, type DecisionPacketInput, type ManifestSigner } from '@stella/evidence';
import { parseDecisionInputs } from '@stella/gates';
import type { Logger } from '@stella/observability';
import type { EntityManager } from 'typeorm';
import type { AttestorClient } from '../clients/attestor-client';
import type { PolicyEvidenceClient } from '../clients/policy-client';
import type { Clock } from '../common/clock';
import { ExportError } from '../common/export-error';
import type { ObjectStore } from '../storage/object-store';
import type { ExportEvents } from '../events/export-events';
import type { ExportRepository, PacketRow } from './export.repository';
import { retentionOf, type RetentionPolicy } from '../retention/retention';

export const DECISION_ATTESTED_TYPE = 'stella.attestor.decision.attested' as const;

/** Object key of a decision's packet (one per decision). */
export function packetKey(tenantId: string, decisionId: string): string {
  return `packets/${tenantId}/${decisionId}.tar`;
}

/** `pkt_` + 32 hex of the archive's sha256: the packet's content address. */
export function packetIdOf(sha256: string): string {
  return `pkt_${sha256.slice('sha256:'.length, 'sha256:'.length + 32)}`;
}

/**
 * `stella.attestor.decision.attested` -> the decision's evidence packet, built, self-verified,
 * stored in the evidence store and indexed, in the consumer's inbox transaction (a redelivery
 * finds the packet and does nothing). The decision and release facts come from the orchestrator's
 * events; when they have not arrived yet the event is retried with backoff.
 */
export class BuildPacketHandler {
  constructor(
    private readonly repository: ExportRepository,
    private readonly attestor: AttestorClient,
    private readonly signer: ManifestSigner,
    private readonly store: ObjectStore,
    private readonly retention: RetentionPolicy,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly events: ExportEvents,
    private readonly policy: PolicyEvidenceClient,
  ) {}

  async handle(event: AnyCloudEvent, manager: EntityManager): Promise<void> {
    if (event.type !== DECISION_ATTESTED_TYPE) return;
    const data = currentEventDefinition(DECISION_ATTESTED_TYPE).schema.parse(event.data);
    if (await this.repository.packetExists(manager, data.tenantId, data.decisionId)) return;
    const decision = await this.repository.decision(manager, data.tenantId, data.decisionId);
    if (decision === undefined) {
      throw new ExportError('DECISION_NOT_RECEIVED', `decision ${data.decisionId} has not arrived from the orchestrator yet`, { decisionId: data.decisionId });
    }
    const releaseManifest = await this.repository.releaseManifest(manager, data.tenantId, decision.releaseDigest);
    if (releaseManifest === undefined) {
      throw new ExportError('DECISION_NOT_RECEIVED', `release ${decision.releaseDigest} has not arrived from the orchestrator yet`, { release: decision.releaseDigest });
    }
    const attestation = await this.attestor.decisionAttestation({ tenantId: data.tenantId, attestationId: data.attestationId, logIndex: data.logIndex, keyId: data.keyId });
    if (sha256Digest(attestation.entryData) !== data.envelopeDigest) {
      throw new ExportError('ATTESTOR_UNAVAILABLE', `log entry ${data.logIndex} is not the attested envelope ${data.envelopeDigest}`, { logIndex: data.logIndex });
    }
    const manifest = JSON.parse(releaseManifest) as { components?: Array<{ digest: string }> };
    const references = await this.references(data.tenantId, [decision.releaseDigest, ...(manifest.components ?? []).map((c) => c.digest)], data.attestationId);
    const inputs = decision.inputs === null ? undefined : parseDecisionInputs(JSON.parse(decision.inputs));
    // The policy gate records references: its policy source and input come from the policy service.
    const reference = inputs === undefined ? undefined : policyReferenceOf(inputs);
    const policyBodies = reference === undefined ? undefined : await this.policy.evaluationBodies(data.tenantId, reference.evaluationId);
    const input: DecisionPacketInput = {
      tenant: data.tenantId,
      record: JSON.parse(decision.record) as DecisionPacketInput['record'],
      ...(inputs === undefined ? {} : { inputs }),
      ...(policyBodies === undefined ? {} : { policyBodies }),
      envelopeBytes: attestation.entryData,
      certificateChain: attestation.certificateChain,
      releaseManifest: manifest,
      attestations: references,
      inclusionProof: attestation.inclusionProof,
      checkpoint: attestation.checkpoint,
      logOrigin: (await this.attestor.logKey()).origin,
      signingTime: attestation.integratedAt,
    };
    let built: Awaited<ReturnType<typeof buildDecisionPacket>>;
    try {
      built = await buildDecisionPacket(input, this.signer);
    } catch (error) {
      if (isEvidenceError(error) && (error.code === 'POLICY_BODIES_MISMATCH' || error.code === 'POLICY_BODIES_MISSING')) {
        // Never a packet with other evidence than the decision's: refused, the event is retried.
        this.logger.error({ decisionId: data.decisionId, evaluationId: reference?.evaluationId, err: error }, 'policy evidence is not what the decision recorded: packet refused');
        throw new ExportError('POLICY_EVIDENCE_MISMATCH', error.message, { decisionId: data.decisionId, evaluationId: reference?.evaluationId }, { cause: error });
      }
      throw error;
    }
    await this.selfCheck(built.archive, attestation.certificateChain, data.decisionId);
    const retention = retentionOf(this.retention, decision.environment, decision.evaluatedAt);
    const key = packetKey(data.tenantId, data.decisionId);
    await this.store.put(key, built.archive, {
      'x-amz-meta-stella-decision': data.decisionId,
      'x-amz-meta-stella-sha256': built.sha256,
      'x-amz-meta-stella-retention-class': retention.retentionClass,
      'x-amz-meta-stella-expires-at': retention.expiresAt.toISOString(),
    });
    const row: PacketRow = {
      packetId: packetIdOf(built.sha256),
      tenantId: data.tenantId,
      decisionId: data.decisionId,
      environment: decision.environment,
      verdict: decision.verdict,
      releaseDigest: decision.releaseDigest,
      evaluatedAt: decision.evaluatedAt,
      attestationId: data.attestationId,
      logIndex: data.logIndex,
      objectKey: key,
      sha256: built.sha256,
      sizeBytes: built.archive.length,
      retentionClass: retention.retentionClass,
      expiresAt: retention.expiresAt,
      createdAt: this.clock.now(),
    };
    await this.repository.insertPacket(manager, row);
    await this.events.record(
      manager,
      'stella.export.packet.stored',
      {
        tenantId: row.tenantId,
        decisionId: row.decisionId,
        packetId: row.packetId,
        environment: row.environment,
        verdict: row.verdict,
        sha256: row.sha256 as `sha256:${string}`,
        size: row.sizeBytes,
        retentionClass: row.retentionClass as 'standard' | 'regulated',
        expiresAt: row.expiresAt.toISOString(),
      },
      row.createdAt,
      row.decisionId,
    );
    this.logger.info({ decisionId: data.decisionId, packetId: row.packetId, sha256: row.sha256, bytes: row.sizeBytes }, 'evidence packet stored');
  }

  /** Attestations about the release and its images, except the decision's own. */
  private async references(tenantId: string, digests: string[], own: string): Promise<AttestationReference[]> {
    const seen = new Map<string, AttestationReference>();
    for (const digest of [...new Set(digests)]) {
      for (const ref of await this.attestor.attestationsAbout(tenantId, digest)) {
        if (ref.attestationId !== own) seen.set(ref.attestationId, ref);
      }
    }
    return [...seen.values()];
  }

  /** The packet must verify with the chain's root and the log's key before it is stored. */
  private async selfCheck(archive: Buffer, chain: readonly string[], decisionId: string): Promise<void> {
    const report = await verifyArchive(archive, { caPem: chain[chain.length - 1]!, logKey: (await this.attestor.logKey()).vkey });
    const failed = report.checks.filter((c) => !c.ok);
    if (failed.length > 0) {
      // Stored anyway (it is what the evidence is); the failures are what `stella verify` will say too.
      this.logger.warn({ decisionId, failed: failed.map((c) => `${c.name} ${c.file ?? ''}: ${c.detail ?? ''}`) }, 'evidence packet does not fully verify');
    }
  }
}
