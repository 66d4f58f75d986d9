import { quoteSchema, withTransaction } from '@stella/db';
import type { DataSource } from 'typeorm';
import type { SignerEvents } from '../events/signer-events';
import type { SignerAlgorithm } from '../keys/signer-key';

export interface AuditEntry {
  signedAt: Date;
  keyId: string;
  algorithm: SignerAlgorithm;
  tenantId: string;
  clientId: string;
  subject: string;
  purpose: string;
  payloadType: string;
  payloadSha256: string;
  signatureSha256: string;
  transport: 'http' | 'nats';
}

/** A Sigstore keyless signature: the Fulcio certificate stands where a Stella key would. */
export interface KeylessAuditEntry {
  signedAt: Date;
  tenantId: string;
  clientId: string;
  subject: string;
  purpose: string;
  payloadType: string;
  payloadSha256: string;
  signatureSha256: string;
  certificateSha256: string;
  /** The certificate's SAN (the OIDC token's email or subject). */
  certificateIdentity: string;
  fulcioUrl: string;
  rekorUrl: string | null;
  rekorLogIndex: string | null;
  transport: 'http' | 'nats';
}

/** The `keyId` a keyless signature's event carries: `sigstore:` and the certificate's SHA-256 prefix. */
export function keylessKeyId(certificateSha256: string): string {
  return `sigstore:${certificateSha256.slice(0, 32)}`;
}

interface Pending {
  entry: AuditEntry;
  resolve: (auditId: string) => void;
  reject: (error: unknown) => void;
}

/** Flushes running at once; more would only queue on the connection pool. */
const MAX_CONCURRENT_FLUSHES = 2;

/**
 * Group commit of the signature audit: a signature is handed out only after its audit row and
 * its `signature.created` event committed. Entries arriving together share one transaction
 * (one multi-row insert), which is what lets auditing keep up with thousands of signatures/s.
 */
export class AuditWriter {
  private readonly table: string;
  private readonly keylessTable: string;
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly flushes = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    schema: string,
    private readonly events: SignerEvents,
    private readonly flushMs: number,
    private readonly batchMax: number,
  ) {
    this.table = `${quoteSchema(schema)}.signer_audit`;
    this.keylessTable = `${quoteSchema(schema)}.signer_keyless_audit`;
  }

  /** Resolves with the audit id once the entry committed; rejects if it could not be stored. */
  record(entry: AuditEntry): Promise<string> {
    if (this.closed) return Promise.reject(new Error('audit writer is closed'));
    return new Promise<string>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.schedule();
    });
  }

  /** Flushes what is queued and refuses new entries (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0 || this.flushes.size > 0) {
      if (this.pending.length > 0) void this.flush();
      await Promise.allSettled([...this.flushes]);
    }
  }

  /**
   * Records a keyless signature (rare, slow anyway: Fulcio and Rekor round trips), in its own
   * transaction with its `signature.created` event; the id comes from the shared audit sequence.
   */
  recordKeyless(entry: KeylessAuditEntry): Promise<string> {
    if (this.closed) return Promise.reject(new Error('audit writer is closed'));
    return withTransaction(this.dataSource, async (manager) => {
      const rows: Array<{ id: string }> = await manager.query(
        `INSERT INTO ${this.keylessTable} (audit_id, signed_at, tenant_id, client_id, subject, purpose, payload_type,
           payload_sha256, signature_sha256, certificate_sha256, certificate_identity, fulcio_url, rekor_url,
           rekor_log_index, transport)
         VALUES (nextval(pg_get_serial_sequence($1, 'audit_id')), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
           $14, $15)
         RETURNING audit_id::text AS id`,
        [
          this.table,
          entry.signedAt,
          entry.tenantId,
          entry.clientId,
          entry.subject,
          entry.purpose,
          entry.payloadType,
          entry.payloadSha256,
          entry.signatureSha256,
          entry.certificateSha256,
          entry.certificateIdentity,
          entry.fulcioUrl,
          entry.rekorUrl,
          entry.rekorLogIndex,
          entry.transport,
        ],
      );
      const id = rows[0]!.id;
      const keyId = keylessKeyId(entry.certificateSha256);
      await this.events.recordMany(manager, [
        this.events.build(
          'stella.signer.signature.created',
          {
            tenantId: entry.tenantId,
            auditId: id,
            keyId,
            algorithm: 'ecdsa-p256-sha256',
            clientId: entry.clientId,
            subject: entry.subject,
            purpose: entry.purpose,
            payloadType: entry.payloadType,
            payloadSha256: entry.payloadSha256,
            signatureSha256: entry.signatureSha256,
            transport: entry.transport,
          },
          entry.signedAt,
          keyId,
        ),
      ]);
      return id;
    });
  }

  private schedule(): void {
    if (this.flushes.size >= MAX_CONCURRENT_FLUSHES) return; // a finishing flush reschedules
    if (this.pending.length >= this.batchMax) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs);
  }

  private flush(): Promise<void> {
    const batch = this.pending.splice(0, this.batchMax);
    if (batch.length === 0) return Promise.resolve();
    const flush = this.insert(batch.map((p) => p.entry)).then(
      (ids) => batch.forEach((p, i) => p.resolve(ids[i]!)),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
    const tracked = flush.finally(() => {
      this.flushes.delete(tracked);
      if (this.pending.length > 0 && !this.closed) this.schedule();
    });
    this.flushes.add(tracked);
    return tracked;
  }

  private insert(entries: readonly AuditEntry[]): Promise<string[]> {
    return withTransaction(this.dataSource, async (manager) => {
      // Ids drawn first so each entry knows its id regardless of RETURNING order.
      const idRows: Array<{ id: string }> = await manager.query(
        `SELECT nextval(pg_get_serial_sequence($1, 'audit_id'))::text AS id FROM generate_series(1, $2)`,
        [this.table, entries.length],
      );
      const ids = idRows.map((row) => row.id);
      const column = <K extends keyof AuditEntry>(key: K) => entries.map((e) => e[key]);
      await manager.query(
        `INSERT INTO ${this.table} (audit_id, signed_at, key_id, tenant_id, client_id, subject, purpose, payload_type,
           payload_sha256, signature_sha256, transport)
         SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
           $8::text[], $9::text[], $10::text[], $11::text[])`,
        [
          ids,
          column('signedAt'),
          column('keyId'),
          column('tenantId'),
          column('clientId'),
          column('subject'),
          column('purpose'),
          column('payloadType'),
          column('payloadSha256'),
          column('signatureSha256'),
          column('transport'),
        ],
      );
      await this.events.recordMany(
        manager,
        entries.map((entry, i) =>
          this.events.build(
            'stella.signer.signature.created',
            {
              tenantId: entry.tenantId,
              auditId: ids[i]!,
              keyId: entry.keyId,
              algorithm: entry.algorithm,
              clientId: entry.clientId,
              subject: entry.subject,
              purpose: entry.purpose,
              payloadType: entry.payloadType,
              payloadSha256: entry.payloadSha256,
              signatureSha256: entry.signatureSha256,
              transport: entry.transport,
            },
            entry.signedAt,
            entry.keyId,
          ),
        ),
      );
      return ids;
    });
  }
}
