import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Clock, SigningAlgorithm } from '@stella/auth';
import type { Actor } from '@stella/contracts';
import type { Logger } from '@stella/observability';
import { STELLA_CONFIG, STELLA_LOGGER } from '@stella/platform';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { SYSTEM_ACTOR } from '../common/actor';
import { AUTHORITY_CLOCK } from '../common/tokens';
import type { AuthorityConfig } from '../config/authority-config';
import { AuthorityEvents } from '../events/authority-events';
import { KeyEncryption, resolveKek } from './key-encryption';
import { SigningKeyEntity } from './signing-key.entity';
import { SigningKeyRepository } from './signing-key.repository';

export interface ActiveSigningKey {
  readonly kid: string;
  readonly algorithm: SigningAlgorithm;
  readonly privateKey: KeyObject;
}

export interface RotationResult {
  kid: string;
  previousKid: string | undefined;
  previousRetireAfter: Date | undefined;
}

interface Cached<T> {
  value: T;
  loadedAt: number;
}

/**
 * Token signing keys: one active key signs; after a rotation the previous key keeps being
 * published ("retiring") until every token it signed has expired, then it is retired and dropped
 * from the JWKS. Postgres is the source of truth so replicas agree; each replica caches the
 * active key and the published set for `authorityKeyCacheSec`.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly encryption: KeyEncryption;
  private readonly cacheMs: number;
  private active: Cached<ActiveSigningKey> | undefined;
  private activeLoad: Promise<ActiveSigningKey> | undefined;
  private published: Cached<JWK[]> | undefined;
  private publishedLoad: Promise<JWK[]> | undefined;
  /** Decrypted private keys by kid: a key is unsealed once per process, not once per cache refresh. */
  private readonly unsealed = new Map<string, KeyObject>();

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AuthorityConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(AUTHORITY_CLOCK) private readonly clock: Clock,
    private readonly repository: SigningKeyRepository,
    private readonly events: AuthorityEvents,
  ) {
    const { kek, generatedFile } = resolveKek(config.authorityKek, config.authorityDataDir);
    if (generatedFile?.created) {
      logger.warn(
        { path: generatedFile.path },
        'no STELLA_AUTHORITY_KEK configured: generated a key-encryption key into this file (0600); ' +
          'back it up, and configure STELLA_AUTHORITY_KEK_FILE for every replica',
      );
    } else if (generatedFile) {
      logger.info({ path: generatedFile.path }, 'using the key-encryption key from the data directory');
    }
    this.encryption = new KeyEncryption(kek);
    this.cacheMs = config.authorityKeyCacheSec * 1000;
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.ensureActiveKey();
      // Fail at start, not at the first token request, when the KEK does not match the database.
      await this.activeKey();
    } catch (error) {
      // Nest does not close a half-started application: release the pool so the process can exit.
      await this.repository.releaseConnections();
      throw error;
    }
  }

  /** Creates the first key when there is none (first start, or every key retired by hand). */
  async ensureActiveKey(): Promise<void> {
    await this.repository.exclusively(async (manager) => {
      if (await this.repository.findActive(manager)) return;
      const key = await this.createKey(manager);
      await this.recordRotation(manager, key, undefined, SYSTEM_ACTOR);
      this.logger.info({ kid: key.kid, algorithm: key.algorithm }, 'created the first token signing key');
    });
  }

  /** The key that signs tokens now. */
  async activeKey(): Promise<ActiveSigningKey> {
    const cached = this.active;
    if (cached && this.clock.now() - cached.loadedAt < this.cacheMs) return cached.value;
    this.activeLoad ??= this.loadActive().finally(() => {
      this.activeLoad = undefined;
    });
    return this.activeLoad;
  }

  /** Public JWKs of the active and retiring keys, newest first. */
  async publishedKeys(): Promise<JWK[]> {
    const cached = this.published;
    if (cached && this.clock.now() - cached.loadedAt < this.cacheMs) return cached.value;
    this.publishedLoad ??= this.loadPublished().finally(() => {
      this.publishedLoad = undefined;
    });
    return this.publishedLoad;
  }

  listKeys(): Promise<SigningKeyEntity[]> {
    return this.repository.listAll();
  }

  /** Makes a new key active; the old one is published until its last token has expired. */
  async rotate(actor: Actor): Promise<RotationResult> {
    const result = await this.repository.exclusively(async (manager) => {
      const now = new Date(this.clock.now());
      const previous = await this.repository.findActive(manager);
      let previousRetireAfter: Date | undefined;
      if (previous) {
        previousRetireAfter = new Date(now.getTime() + this.retirementDelayMs());
        await this.repository.markRetiring(manager, previous.kid, now, previousRetireAfter);
      }
      const key = await this.createKey(manager);
      await this.recordRotation(manager, key, previous?.kid, actor);
      return { kid: key.kid, previousKid: previous?.kid, previousRetireAfter };
    });
    this.invalidateCaches();
    this.logger.info(result, 'rotated the token signing key');
    return result;
  }

  /** Rotates when the active key is older than the rotation interval; returns whether it did. */
  async rotateIfDue(): Promise<boolean> {
    const intervalMs = this.config.authorityKeyRotationIntervalSec * 1000;
    if (intervalMs === 0) return false;
    const due = await this.repository.exclusively(async (manager) => {
      const active = await this.repository.findActive(manager);
      return !active || this.clock.now() - active.createdAt.getTime() >= intervalMs;
    });
    // Another replica may rotate in between; rotate() re-reads under the lock, and a second
    // rotation within the same tick only costs one extra key, never an unverifiable token.
    if (due) await this.rotate(SYSTEM_ACTOR);
    return due;
  }

  /** Retires keys whose last token has expired; returns their kids. */
  async retireDue(): Promise<string[]> {
    const retired = await this.repository.exclusively((manager) =>
      this.repository.retireDue(manager, new Date(this.clock.now())),
    );
    if (retired.length > 0) {
      for (const kid of retired) this.unsealed.delete(kid);
      this.invalidateCaches();
      this.logger.info({ kids: retired }, 'retired token signing keys');
    }
    return retired;
  }

  /**
   * How long a rotated-out key stays published: a replica may sign with it for up to one cache
   * period after the rotation, its tokens live for the TTL, and verifier clocks may lag by the skew.
   */
  retirementDelayMs(): number {
    const c = this.config;
    return (c.authorityTokenTtlSec + c.authorityClockSkewSec + c.authorityKeyCacheSec) * 1000;
  }

  private invalidateCaches(): void {
    this.active = undefined;
    this.published = undefined;
  }

  private async loadActive(): Promise<ActiveSigningKey> {
    const row = await this.repository.findActive();
    if (!row?.privateKeySealed) throw new Error('no active token signing key');
    let privateKey = this.unsealed.get(row.kid);
    if (!privateKey) {
      const pkcs8 = this.encryption.unseal(row.kid, row.privateKeySealed, row.kekId);
      privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      this.unsealed.set(row.kid, privateKey);
    }
    const value: ActiveSigningKey = { kid: row.kid, algorithm: row.algorithm, privateKey };
    this.active = { value, loadedAt: this.clock.now() };
    return value;
  }

  private async loadPublished(): Promise<JWK[]> {
    const rows = await this.repository.findPublished();
    const value = rows.map((row) => ({ ...row.publicJwk }));
    this.published = { value, loadedAt: this.clock.now() };
    return value;
  }

  private async createKey(manager: EntityManager): Promise<SigningKeyEntity> {
    const algorithm = this.config.authoritySigningAlgorithm;
    const { privateKey, publicKey } =
      algorithm === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    // RFC 7638 thumbprint: the kid is derived from the key, so it can never name two keys. The
    // prefix keeps it starting with a letter, as event record ids must.
    const kid = `${algorithm === 'EdDSA' ? 'ed25519' : 'p256'}-${await calculateJwkThumbprint(jwk, 'sha256')}`;
    const publicJwk: JWK = { ...jwk, kid, alg: algorithm, use: 'sig' };
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const entity = Object.assign(new SigningKeyEntity(), {
      kid,
      algorithm,
      state: 'active' as const,
      publicJwk,
      privateKeySealed: this.encryption.seal(kid, pkcs8),
      kekId: this.encryption.kekId,
      createdAt: new Date(this.clock.now()),
      rotatedAt: null,
      retireAfter: null,
      retiredAt: null,
    });
    await this.repository.insert(manager, entity);
    return entity;
  }

  private async recordRotation(
    manager: EntityManager,
    key: SigningKeyEntity,
    previousKid: string | undefined,
    actor: Actor,
  ): Promise<void> {
    await this.events.record(
      manager,
      'stella.authority.signing_key.rotated',
      {
        tenantId: this.config.authorityBootstrapTenant,
        keyId: key.kid,
        ...(previousKid === undefined ? {} : { previousKeyId: previousKid }),
        algorithm: key.algorithm,
        actor,
      },
      key.kid,
    );
  }
}
