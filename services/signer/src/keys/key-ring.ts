import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { algorithmOf, publicKeyId } from '@stella/attest';
import { withTransaction } from '@stella/db';
import type { DataSource, EntityManager } from 'typeorm';
import { X509Certificate } from 'node:crypto';
import {
  chainProblemsAt,
  certificateSha256,
  issueCertificate,
  type ChainProblem,
  type DistinguishedName,
} from '../ca/x509';
import type { Clock } from '../common/clock';
import { SignerError } from '../common/signer-error';
import type { KeyEncryption } from '../crypto/key-encryption';
import type { SignerEvents } from '../events/signer-events';
import type { CaRecord, SignerAlgorithm, SignerKeyRecord, UsableKey } from './signer-key';
import type { SignerKeyRepository } from './signer-key.repository';

const DAY_MS = 86_400_000;
/** How long a replica trusts its cached view of key status (another replica may rotate or revoke). */
const STATUS_CACHE_MS = 1000;
const ORGANIZATION = 'Stella Ops';

export interface KeyRingOptions {
  profile: 'default' | 'fips';
  generateAlgorithm: 'ed25519' | 'ecdsa-p256';
  importPem?: string;
  caCommonName: string;
  caValidityDays: number;
  certValidityDays: number;
  platformTenant: string;
}

export interface Actor {
  type: 'user' | 'client' | 'system';
  id: string;
}

interface ChainInfo {
  /** Instants (ms) between which both the key's and the CA's certificates are valid. */
  validFrom: number;
  validTo: number;
  /** Problems other than time (issuer, signature, key mismatch): a valid chain has none. */
  structuralProblems: ChainProblem[];
}

interface CachedKey {
  usable: UsableKey;
  checkedAt: number;
}

/**
 * The signer's keys: the root CA and the signing keys with their certificates. Bootstraps them,
 * rotates and revokes, and hands out keys that may sign right now. Private keys are sealed in
 * Postgres and decrypted once per replica.
 */
export class KeyRing {
  private ca: { record: CaRecord; privateKey: KeyObject; publicKey: KeyObject } | undefined;
  private readonly cache = new Map<string, CachedKey>();
  private readonly chains = new Map<string, ChainInfo>();
  private active: { keyId: string; checkedAt: number } | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: SignerKeyRepository,
    private readonly encryption: KeyEncryption,
    private readonly events: SignerEvents,
    private readonly clock: Clock,
    private readonly options: KeyRingOptions,
  ) {}

  /** First start creates the root CA and a signing key (or imports the configured one). Idempotent. */
  async bootstrap(): Promise<void> {
    await withTransaction(this.dataSource, async (manager) => {
      await this.repository.lockKeyManagement(manager);
      const ca = (await this.repository.findCa(manager)) ?? (await this.createCa(manager));
      this.ca = this.openCa(ca);
      const active = await this.repository.findActiveKey(manager);
      if (this.options.importPem !== undefined) {
        const imported = this.parseImport(this.options.importPem);
        const keyId = publicKeyId(imported);
        if ((await this.repository.findKey(manager, keyId)) === undefined) {
          await this.activateNewKey(
            manager,
            imported,
            'imported',
            { type: 'system', id: 'signer-bootstrap' },
            active,
          );
        }
        return;
      }
      const fipsViolation =
        this.options.profile === 'fips' && active !== undefined && active.algorithm !== 'ecdsa-p256-sha256';
      const expired = active !== undefined && active.notAfter.getTime() <= this.clock.now().getTime();
      if (active === undefined || fipsViolation || expired) {
        await this.activateNewKey(
          manager,
          this.generateKey(),
          'generated',
          { type: 'system', id: 'signer-bootstrap' },
          active,
        );
      }
    });
    this.forgetStatus();
  }

  caCertificatePem(): string {
    return this.requireCa().record.certificatePem;
  }

  async listKeys(): Promise<SignerKeyRecord[]> {
    return this.repository.listKeys(this.dataSource.manager);
  }

  /** A new generated key becomes active; the previous one is retired but stays verifiable. */
  async rotate(actor: Actor): Promise<SignerKeyRecord> {
    const record = await withTransaction(this.dataSource, async (manager) => {
      await this.repository.lockKeyManagement(manager);
      const previous = await this.repository.findActiveKey(manager);
      return this.activateNewKey(manager, this.generateKey(), 'generated', actor, previous);
    });
    this.forgetStatus();
    return record;
  }

  /** Revokes a key; revoking the active key activates a fresh one so signing continues. */
  async revoke(keyId: string, reason: string, actor: Actor): Promise<SignerKeyRecord> {
    const record = await withTransaction(this.dataSource, async (manager) => {
      await this.repository.lockKeyManagement(manager);
      const key = await this.repository.findKey(manager, keyId);
      if (key === undefined) throw new SignerError('KEY_NOT_FOUND', `no signing key ${keyId}`, { keyId });
      if (key.status === 'revoked') return key;
      const now = this.clock.now();
      await this.repository.revoke(manager, keyId, now, reason);
      await this.events.record(
        manager,
        'stella.signer.key.revoked',
        { tenantId: this.options.platformTenant, keyId, revokedAt: now.toISOString(), reason, actor },
        now,
        keyId,
      );
      if (key.status === 'active') {
        await this.activateNewKey(manager, this.generateKey(), 'generated', actor, undefined);
      }
      return (await this.repository.findKey(manager, keyId))!;
    });
    this.forgetStatus();
    return record;
  }

  /**
   * The key to sign with: the named one or the active one, refused unless it is active, not
   * revoked, allowed by the profile, and its certificate chain is valid now.
   */
  async signingKey(keyId?: string): Promise<UsableKey> {
    const id = keyId ?? (await this.activeKeyId());
    const usable = await this.load(id);
    const { record } = usable;
    if (record.status === 'revoked') {
      throw new SignerError('KEY_REVOKED', `signing key ${id} was revoked`, {
        keyId: id,
        revokedAt: record.revokedAt?.toISOString(),
      });
    }
    if (record.status === 'retired') {
      throw new SignerError(
        'KEY_RETIRED',
        `signing key ${id} was rotated out; it verifies but no longer signs`,
        { keyId: id },
      );
    }
    if (this.options.profile === 'fips' && record.algorithm !== 'ecdsa-p256-sha256') {
      throw new SignerError(
        'ALGORITHM_NOT_ALLOWED',
        `the fips profile does not sign with ${record.algorithm}`,
        { keyId: id },
      );
    }
    // Time checks use the windows parsed once per key load: certificate parsing per signature
    // would cost more than the signature itself.
    const now = this.clock.now().getTime();
    const { validFrom, validTo, structuralProblems } = this.chainInfo(usable);
    if (structuralProblems.length > 0) {
      throw new SignerError('KEY_MATERIAL_INVALID', `the certificate chain of signing key ${id} is invalid`, {
        keyId: id,
        problems: structuralProblems,
      });
    }
    if (now > validTo) {
      throw new SignerError(
        'CERTIFICATE_EXPIRED',
        `the certificate of signing key ${id} expired at ${new Date(validTo).toISOString()}`,
        {
          keyId: id,
          notAfter: new Date(validTo).toISOString(),
        },
      );
    }
    if (now < validFrom) {
      throw new SignerError(
        'CERTIFICATE_NOT_YET_VALID',
        `the certificate of signing key ${id} is not valid yet`,
        { keyId: id },
      );
    }
    return usable;
  }

  /** Parses and checks a key's certificate chain once (certificates never change for a key id). */
  private chainInfo(usable: UsableKey): ChainInfo {
    const cached = this.chains.get(usable.record.keyId);
    if (cached) return cached;
    const [leafPem, rootPem] = usable.certificateChain;
    const leaf = new X509Certificate(leafPem);
    const root = new X509Certificate(rootPem);
    const validFrom = Math.max(new Date(leaf.validFrom).getTime(), new Date(root.validFrom).getTime());
    const validTo = Math.min(new Date(leaf.validTo).getTime(), new Date(root.validTo).getTime());
    // Checked at the window's start, so only non-time problems remain.
    const structuralProblems = chainProblemsAt(
      leafPem,
      rootPem,
      new Date(validFrom),
      createPublicKey(usable.privateKey),
    ).filter((problem) => problem !== 'EXPIRED' && problem !== 'NOT_YET_VALID');
    const info = { validFrom, validTo, structuralProblems };
    this.chains.set(usable.record.keyId, info);
    return info;
  }

  /** This replica changed key status: drop cached status now (other replicas notice within STATUS_CACHE_MS). */
  private forgetStatus(): void {
    for (const cached of this.cache.values()) cached.checkedAt = Number.NEGATIVE_INFINITY;
    this.active = undefined;
  }

  private async activeKeyId(): Promise<string> {
    const nowMs = Date.now();
    if (this.active && nowMs - this.active.checkedAt < STATUS_CACHE_MS) return this.active.keyId;
    const active = await this.repository.findActiveKey(this.dataSource.manager);
    if (active === undefined) throw new SignerError('NO_ACTIVE_KEY', 'the signer has no active key');
    this.active = { keyId: active.keyId, checkedAt: nowMs };
    return active.keyId;
  }

  private async load(keyId: string): Promise<UsableKey> {
    const nowMs = Date.now();
    const cached = this.cache.get(keyId);
    if (cached && nowMs - cached.checkedAt < STATUS_CACHE_MS) return cached.usable;
    const record = await this.repository.findKey(this.dataSource.manager, keyId);
    if (record === undefined) throw new SignerError('KEY_NOT_FOUND', `no signing key ${keyId}`, { keyId });
    let privateKey = cached?.usable.privateKey;
    if (privateKey === undefined) {
      const sealed = await this.repository.sealedKey(this.dataSource.manager, keyId);
      if (sealed === undefined) throw new SignerError('KEY_NOT_FOUND', `no signing key ${keyId}`, { keyId });
      privateKey = createPrivateKey({
        key: this.encryption.unseal(keyId, sealed.sealedPrivateKey, sealed.kekId),
        format: 'der',
        type: 'pkcs8',
      });
    }
    const usable: UsableKey = {
      record,
      privateKey,
      certificateChain: [record.certificatePem, this.caCertificatePem()],
    };
    this.cache.set(keyId, { usable, checkedAt: nowMs });
    return usable;
  }

  private requireCa() {
    if (this.ca === undefined)
      throw new SignerError('NO_ACTIVE_KEY', 'the signer has not bootstrapped its CA');
    return this.ca;
  }

  private openCa(record: CaRecord) {
    const privateKey = createPrivateKey({
      key: this.encryption.unseal(record.caId, record.sealedPrivateKey, record.kekId),
      format: 'der',
      type: 'pkcs8',
    });
    return { record, privateKey, publicKey: createPublicKey(privateKey) };
  }

  private async createCa(manager: EntityManager): Promise<CaRecord> {
    // The CA key is P-256 in every profile, so a FIPS deployment can pin the same kind of root.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = this.clock.now();
    const dn: DistinguishedName = { commonName: this.options.caCommonName, organization: ORGANIZATION };
    const notAfter = new Date(now.getTime() + this.options.caValidityDays * DAY_MS);
    const certificatePem = issueCertificate({
      subject: dn,
      issuer: dn,
      subjectPublicKey: publicKey,
      issuerPrivateKey: privateKey,
      issuerPublicKey: publicKey,
      notBefore: now,
      notAfter,
      isCa: true,
    });
    const caId = `ca-${randomUUID()}`;
    const record: CaRecord = {
      caId,
      certificatePem,
      sealedPrivateKey: this.encryption.seal(caId, privateKey.export({ format: 'der', type: 'pkcs8' })),
      kekId: this.encryption.kekId,
      notBefore: now,
      notAfter,
    };
    await this.repository.insertCa(manager, record, now);
    return record;
  }

  private generateKey(): KeyObject {
    const algorithm = this.options.profile === 'fips' ? 'ecdsa-p256' : this.options.generateAlgorithm;
    return algorithm === 'ed25519'
      ? generateKeyPairSync('ed25519').privateKey
      : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  }

  private parseImport(pem: string): KeyObject {
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch (cause) {
      throw new SignerError(
        'KEY_MATERIAL_INVALID',
        'STELLA_SIGNER_KEY is not a PKCS#8 PEM private key',
        {},
        { cause },
      );
    }
    let algorithm: SignerAlgorithm;
    try {
      algorithm = algorithmOf(key);
    } catch (cause) {
      throw new SignerError(
        'ALGORITHM_NOT_ALLOWED',
        'STELLA_SIGNER_KEY must be an Ed25519 or ECDSA P-256 key',
        {},
        { cause },
      );
    }
    if (this.options.profile === 'fips' && algorithm !== 'ecdsa-p256-sha256') {
      throw new SignerError(
        'ALGORITHM_NOT_ALLOWED',
        'the fips profile accepts only ECDSA P-256 signing keys',
      );
    }
    return key;
  }

  private async activateNewKey(
    manager: EntityManager,
    privateKey: KeyObject,
    origin: 'generated' | 'imported',
    actor: Actor,
    previous: SignerKeyRecord | undefined,
  ): Promise<SignerKeyRecord> {
    const ca = this.ca ?? this.openCa((await this.repository.findCa(manager))!);
    this.ca = ca;
    const publicKey = createPublicKey(privateKey);
    const keyId = publicKeyId(publicKey);
    const algorithm = algorithmOf(publicKey);
    const now = this.clock.now();
    // A leaf never outlives its CA: verifiers check both windows at signing time.
    const notAfter = new Date(
      Math.min(now.getTime() + this.options.certValidityDays * DAY_MS, ca.record.notAfter.getTime()),
    );
    const certificatePem = issueCertificate({
      subject: { commonName: `stella-signer ${keyId.slice(0, 16)}`, organization: ORGANIZATION },
      issuer: { commonName: this.options.caCommonName, organization: ORGANIZATION },
      subjectPublicKey: publicKey,
      issuerPrivateKey: ca.privateKey,
      issuerPublicKey: ca.publicKey,
      notBefore: now,
      notAfter,
      isCa: false,
    });
    const record: SignerKeyRecord = {
      keyId,
      algorithm,
      publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      certificatePem,
      caId: ca.record.caId,
      notBefore: now,
      notAfter,
      status: 'active',
      origin,
      createdAt: now,
      retiredAt: null,
      revokedAt: null,
      revocationReason: null,
    };
    if (previous !== undefined && previous.status === 'active')
      await this.repository.retireActive(manager, now);
    await this.repository.insertKey(manager, record, {
      sealedPrivateKey: this.encryption.seal(keyId, privateKey.export({ format: 'der', type: 'pkcs8' })),
      kekId: this.encryption.kekId,
    });
    await this.events.record(
      manager,
      'stella.signer.key.rotated',
      {
        tenantId: this.options.platformTenant,
        keyId,
        ...(previous ? { previousKeyId: previous.keyId } : {}),
        algorithm,
        certificateSha256: certificateSha256(certificatePem),
        actor,
      },
      now,
      keyId,
    );
    return record;
  }
}
