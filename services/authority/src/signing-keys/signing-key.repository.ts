import { Inject, Injectable } from '@nestjs/common';
import { schemaOf } from '@stella/db';
import type { DataSource, EntityManager } from 'typeorm';
import { AUTHORITY_DATA_SOURCE } from '../common/tokens';
import { SigningKeyEntity } from './signing-key.entity';

/** Serialises key creation, rotation and retirement across replicas (transaction-scoped, per schema). */
const SIGNING_KEYS_LOCK = 'stella.authority.signing-keys';

@Injectable()
export class SigningKeyRepository {
  private readonly lockKey: string;

  constructor(@Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource) {
    this.lockKey = `${SIGNING_KEYS_LOCK}:${schemaOf(dataSource)}`;
  }

  /** Runs work in a transaction holding the signing-keys advisory lock. */
  async exclusively<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [this.lockKey]);
      return work(manager);
    });
  }

  async releaseConnections(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  findActive(manager: EntityManager = this.dataSource.manager): Promise<SigningKeyEntity | null> {
    return manager.findOne(SigningKeyEntity, { where: { state: 'active' } });
  }

  /** Keys whose public half verifiers need: the active one and those still retiring. */
  findPublished(): Promise<SigningKeyEntity[]> {
    return this.dataSource.manager
      .createQueryBuilder(SigningKeyEntity, 'k')
      .where("k.state IN ('active', 'retiring')")
      .orderBy('k.created_at', 'DESC')
      .getMany();
  }

  listAll(): Promise<SigningKeyEntity[]> {
    return this.dataSource.manager.find(SigningKeyEntity, { order: { createdAt: 'DESC' } });
  }

  async insert(manager: EntityManager, key: SigningKeyEntity): Promise<void> {
    await manager.insert(SigningKeyEntity, key);
  }

  async markRetiring(manager: EntityManager, kid: string, rotatedAt: Date, retireAfter: Date): Promise<void> {
    await manager.update(SigningKeyEntity, { kid }, { state: 'retiring', rotatedAt, retireAfter });
  }

  /** Retires every retiring key past its retire_after and wipes its private key; returns their kids. */
  async retireDue(manager: EntityManager, now: Date): Promise<string[]> {
    const rows: Array<{ kid: string }> = await manager.query(
      `UPDATE signing_keys SET state = 'retired', retired_at = $1, private_key_sealed = NULL
        WHERE state = 'retiring' AND retire_after <= $1
        RETURNING kid`,
      [now],
    );
    return rows.map((row) => row.kid);
  }
}
