import { createHash, randomUUID } from 'node:crypto';
import {
  parseEnvelope,
  serializeEnvelope,
  verifyAttestation,
  type DsseEnvelope,
  type Statement,
} from '@stella/attest';
import type { EntityManager } from 'typeorm';
import { AttestorError } from '../common/attestor-error';
import type { Clock } from '../common/clock';
import { fromLibraryError } from '../common/problems';
import type { AttestorEvents } from '../events/attestor-events';
import type { AppendQueue } from '../log/append-queue';
import type { AppendedEntry, TransparencyLog } from '../log/transparency-log';
import type { AttestationRepository, AttestationRow } from './attestation.repository';
import type { TrustStore } from './trust-store';

/** Content type of attestation log entries: the DSSE envelope as RFC 8785 canonical JSON. */
export const DSSE_ENTRY_CONTENT_TYPE = 'application/vnd.dsse.envelope.v1+json';

export interface RecordAttestationCommand {
  tenantId: string;
  envelope: unknown;
  /** PEM chain (signing certificate first) when the envelope was signed by a certified key. */
  certificateChain?: readonly string[];
  decisionId?: string;
}

export interface RecordedAttestation {
  row: AttestationRow;
  envelope: DsseEnvelope;
  statement: Statement;
  checkpointNote: string;
  /** False when the same envelope was already recorded for the tenant (the stored one is returned). */
  created: boolean;
}

interface Prepared {
  command: RecordAttestationCommand;
  envelope: DsseEnvelope;
  envelopeBytes: Buffer;
  envelopeDigest: string;
  statement: Statement;
  keyIds: string[];
}

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Verifies an envelope against trusted keys, appends it to the log and stores it with its entry
 * index and inclusion proof, in one transaction. The leaf data is the canonical envelope JSON, so a
 * verifier recomputes the leaf hash from the envelope alone.
 */
export class RecordAttestationUseCase {
  constructor(
    private readonly log: TransparencyLog,
    private readonly queue: AppendQueue,
    private readonly repository: AttestationRepository,
    private readonly trust: TrustStore,
    private readonly events: AttestorEvents,
    private readonly clock: Clock,
    private readonly readManager: EntityManager,
  ) {}

  /** HTTP path: through the batching append queue. */
  async execute(command: RecordAttestationCommand): Promise<RecordedAttestation> {
    const prepared = await this.prepare(command);
    const existing = await this.repository.byEnvelope(
      this.readManager,
      command.tenantId,
      prepared.envelopeDigest,
    );
    if (existing) return this.view(existing, prepared, false);
    const { result } = await this.queue.append(
      { data: prepared.envelopeBytes, contentType: DSSE_ENTRY_CONTENT_TYPE },
      (manager, appended) => this.store(manager, prepared, appended),
    );
    return result;
  }

  /** Consumer path: inside the caller's (inbox) transaction, so it commits exactly once with it. */
  async executeInTransaction(
    manager: EntityManager,
    command: RecordAttestationCommand,
  ): Promise<RecordedAttestation> {
    const prepared = await this.prepare(command);
    const existing = await this.repository.byEnvelope(manager, command.tenantId, prepared.envelopeDigest);
    if (existing) return this.view(existing, prepared, false);
    const [appended] = await this.log.appendInTransaction(manager, [
      { data: prepared.envelopeBytes, contentType: DSSE_ENTRY_CONTENT_TYPE },
    ]);
    return this.store(manager, prepared, appended!);
  }

  private async prepare(command: RecordAttestationCommand): Promise<Prepared> {
    try {
      const envelope = parseEnvelope(command.envelope);
      const trusted = this.trust.trustedKeys(command.certificateChain, this.clock.now());
      if (trusted.length === 0) {
        throw new AttestorError(
          'SIGNATURE_UNTRUSTED',
          'no trusted key: send the signing certificate chain or configure trusted keys',
        );
      }
      const verified = await verifyAttestation(envelope, trusted, { allowUnknownPredicate: true });
      const envelopeBytes = Buffer.from(serializeEnvelope(envelope), 'utf8');
      return {
        command,
        envelope,
        envelopeBytes,
        envelopeDigest: sha256(envelopeBytes),
        statement: verified.statement,
        keyIds: [...verified.verifiedKeyIds],
      };
    } catch (error) {
      throw fromLibraryError(error);
    }
  }

  private async store(
    manager: EntityManager,
    prepared: Prepared,
    appended: AppendedEntry,
  ): Promise<RecordedAttestation> {
    const subjectDigests = prepared.statement.subject.flatMap((subject) =>
      Object.entries(subject.digest ?? {}).map(([algorithm, value]) => `${algorithm}:${value}`),
    );
    const row: AttestationRow = {
      attestationId: randomUUID(),
      tenantId: prepared.command.tenantId,
      predicateType: prepared.statement.predicateType,
      subjectDigests,
      envelopeDigest: prepared.envelopeDigest,
      keyIds: prepared.keyIds,
      certificateChain: [...(prepared.command.certificateChain ?? [])],
      logIndex: appended.index,
      checkpointSize: appended.checkpoint.size,
      inclusionProof: appended.inclusionProof,
      decisionId: prepared.command.decisionId ?? null,
      createdAt: this.clock.now(),
    };
    await this.repository.insert(manager, row);
    const sha256Subjects = subjectDigests.filter((d) => /^sha256:[0-9a-f]{64}$/.test(d));
    if (sha256Subjects.length > 0) {
      await this.events.record(
        manager,
        'stella.attestor.attestation.recorded',
        {
          tenantId: row.tenantId,
          attestationId: row.attestationId,
          predicateType: row.predicateType,
          subjectDigests: sha256Subjects.slice(0, 1024),
          envelopeDigest: row.envelopeDigest,
          logIndex: row.logIndex,
        },
        row.createdAt,
        row.attestationId,
      );
    }
    return {
      row,
      envelope: prepared.envelope,
      statement: prepared.statement,
      checkpointNote: appended.checkpoint.note,
      created: true,
    };
  }

  private async view(
    row: AttestationRow,
    prepared: Prepared,
    created: boolean,
  ): Promise<RecordedAttestation> {
    const checkpoint = await this.log.checkpointAt(row.checkpointSize);
    return {
      row,
      envelope: prepared.envelope,
      statement: prepared.statement,
      checkpointNote: checkpoint?.note ?? '',
      created,
    };
  }
}
