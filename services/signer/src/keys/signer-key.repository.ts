import { quoteSchema } from '@stella/db';
import type { EntityManager } from 'typeorm';
import type { CaRecord, KeyStatus, SealedKey, SignerAlgorithm, SignerKeyRecord } from './signer-key';

interface KeyRow {
  key_id: string;
  algorithm: SignerAlgorithm;
  public_key_pem: string;
  certificate_pem: string;
  ca_id: string;
  not_before: Date;
  not_after: Date;
  status: KeyStatus;
  origin: 'generated' | 'imported';
  created_at: Date;
  retired_at: Date | null;
  revoked_at: Date | null;
  revocation_reason: string | null;
}

const KEY_COLUMNS =
  'key_id, algorithm, public_key_pem, certificate_pem, ca_id, not_before, not_after, status, origin, created_at, retired_at, revoked_at, revocation_reason';

function toRecord(row: KeyRow): SignerKeyRecord {
  return {
    keyId: row.key_id,
    algorithm: row.algorithm,
    publicKeyPem: row.public_key_pem,
    certificatePem: row.certificate_pem,
    caId: row.ca_id,
    notBefore: row.not_before,
    notAfter: row.not_after,
    status: row.status,
    origin: row.origin,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
  };
}

/** SQL over the signer's tables; every method takes the caller's manager (transaction or not). */
export class SignerKeyRepository {
  private readonly s: string;

  constructor(schema: string) {
    this.s = quoteSchema(schema);
  }

  /** Serializes bootstrap and rotation across replicas for the rest of the transaction. */
  async lockKeyManagement(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${this.s}.signer-key-management`]);
  }

  async findCa(manager: EntityManager): Promise<CaRecord | undefined> {
    const rows: Array<{
      ca_id: string;
      certificate_pem: string;
      sealed_private_key: Buffer;
      kek_id: string;
      not_before: Date;
      not_after: Date;
    }> = await manager.query(
      `SELECT ca_id, certificate_pem, sealed_private_key, kek_id, not_before, not_after FROM ${this.s}.signer_ca ORDER BY created_at DESC LIMIT 1`,
    );
    const row = rows[0];
    return row
      ? {
          caId: row.ca_id,
          certificatePem: row.certificate_pem,
          sealedPrivateKey: row.sealed_private_key,
          kekId: row.kek_id,
          notBefore: row.not_before,
          notAfter: row.not_after,
        }
      : undefined;
  }

  async insertCa(manager: EntityManager, ca: CaRecord, createdAt: Date): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.s}.signer_ca (ca_id, certificate_pem, sealed_private_key, kek_id, not_before, not_after, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [ca.caId, ca.certificatePem, ca.sealedPrivateKey, ca.kekId, ca.notBefore, ca.notAfter, createdAt],
    );
  }

  async findKey(manager: EntityManager, keyId: string): Promise<SignerKeyRecord | undefined> {
    const rows: KeyRow[] = await manager.query(
      `SELECT ${KEY_COLUMNS} FROM ${this.s}.signer_keys WHERE key_id = $1`,
      [keyId],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async findActiveKey(manager: EntityManager): Promise<SignerKeyRecord | undefined> {
    const rows: KeyRow[] = await manager.query(
      `SELECT ${KEY_COLUMNS} FROM ${this.s}.signer_keys WHERE status = 'active'`,
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async listKeys(manager: EntityManager): Promise<SignerKeyRecord[]> {
    const rows: KeyRow[] = await manager.query(
      `SELECT ${KEY_COLUMNS} FROM ${this.s}.signer_keys ORDER BY created_at, key_id`,
    );
    return rows.map(toRecord);
  }

  async sealedKey(manager: EntityManager, keyId: string): Promise<SealedKey | undefined> {
    const rows: Array<{ sealed_private_key: Buffer; kek_id: string }> = await manager.query(
      `SELECT sealed_private_key, kek_id FROM ${this.s}.signer_keys WHERE key_id = $1`,
      [keyId],
    );
    const row = rows[0];
    return row ? { sealedPrivateKey: row.sealed_private_key, kekId: row.kek_id } : undefined;
  }

  async insertKey(manager: EntityManager, key: SignerKeyRecord, sealed: SealedKey): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.s}.signer_keys (key_id, algorithm, public_key_pem, sealed_private_key, kek_id, certificate_pem, ca_id,
         not_before, not_after, status, origin, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        key.keyId,
        key.algorithm,
        key.publicKeyPem,
        sealed.sealedPrivateKey,
        sealed.kekId,
        key.certificatePem,
        key.caId,
        key.notBefore,
        key.notAfter,
        key.status,
        key.origin,
        key.createdAt,
      ],
    );
  }

  async retireActive(manager: EntityManager, at: Date): Promise<void> {
    await manager.query(
      `UPDATE ${this.s}.signer_keys SET status = 'retired', retired_at = $1 WHERE status = 'active'`,
      [at],
    );
  }

  async revoke(manager: EntityManager, keyId: string, at: Date, reason: string): Promise<void> {
    await manager.query(
      `UPDATE ${this.s}.signer_keys SET status = 'revoked', revoked_at = $2, revocation_reason = $3 WHERE key_id = $1`,
      [keyId, at, reason],
    );
  }
}
