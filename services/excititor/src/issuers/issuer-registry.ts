import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Principal } from '@stella/auth';
import { OutboxWriter } from '@stella/bus';
import { canonicalize } from '@stella/canonical';
import { buildEvent, type AnyCloudEvent } from '@stella/contracts';
import { ProblemError, STELLA_CONFIG } from '@stella/platform';
import type { EntityManager } from 'typeorm';
import { actorOf } from '../common/actor';
import { EXCITITOR_CLOCK, type Clock } from '../common/ports';
import type { ExcititorConfig, IssuerConfig } from '../config/excititor-config';
import { computeConsensus } from '../consensus/consensus';
import { lookupKeys } from '../formats/product-key';
import { issued } from '../consensus/issued';
import { VexStore } from '../persistence/vex-store';
import { keyFingerprint, toIssuer, type IssuerInput } from './issuer-input';
import { IssuerRepository, type StoredIssuer } from './issuer.repository';

export const EXCITITOR_ISSUER_EVENT_SOURCE = '/stella/excititor';
/** Where configured issuers come from, named in 409s. */
export const ISSUERS_CONFIG_KEY = 'excititorIssuers (STELLA_EXCITITOR_ISSUERS)';
/** At most this many (vulnerability, product) pairs are re-checked per trust change (as per ingested document). */
const MAX_RECHECK_PAIRS = 5000;

export interface IssuerView {
  readonly id: string;
  readonly source: 'config' | 'runtime';
  readonly trust: number;
  readonly authors: readonly string[];
  readonly publicKeys: ReadonlyArray<{ keyId?: string; publicKeyPem: string; fingerprint: string }>;
  readonly requireSignature: boolean;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

/**
 * Every VEX issuer excititor trusts: the configured ones (read-only) then the ones registered at
 * runtime (`vex_issuer`). Ingest, consensus and capabilities read it from memory; a change made
 * here reloads at once, and every replica polls the registry's change counter every
 * STELLA_EXCITITOR_ISSUER_REFRESH_MS so they agree within that interval.
 */
@Injectable()
export class IssuerRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('IssuerRegistry');
  private readonly configured: readonly IssuerConfig[];
  private readonly configuredIds: ReadonlySet<string>;
  private runtime: readonly StoredIssuer[] = [];
  private merged: readonly IssuerConfig[];
  private generation: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ExcititorConfig,
    @Inject(EXCITITOR_CLOCK) private readonly clock: Clock,
    private readonly repository: IssuerRepository,
    private readonly outbox: OutboxWriter,
    private readonly store: VexStore,
  ) {
    this.configured = config.excititorIssuers;
    this.configuredIds = new Set(this.configured.map((i) => i.id));
    this.merged = this.configured;
  }

  async onModuleInit(): Promise<void> {
    await this.refresh(true);
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        this.logger.warn(`issuer registry refresh failed: ${(error as Error).message}`),
      );
    }, this.config.excititorIssuerRefreshMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Configured issuers first (they win on author and key matches), then runtime ones by id. */
  all(): readonly IssuerConfig[] {
    return this.merged;
  }

  find(id: string): IssuerConfig | undefined {
    return this.merged.find((i) => i.id === id);
  }

  /** Trust of an issuer id; unknown issuers count 0. */
  trustOf(id: string): number {
    return this.find(id)?.trust ?? 0;
  }

  /** The issuer that writes unsigned documents as this author (case-insensitive). */
  byAuthor(author: string): IssuerConfig | undefined {
    const wanted = author.toLowerCase();
    return this.merged.find((i) => i.authors.some((a) => a.toLowerCase() === wanted));
  }

  list(): IssuerView[] {
    return [...this.configured.map((i) => view(i, 'config')), ...this.runtime.map((i) => view(i, 'runtime'))];
  }

  /** Reloads runtime issuers when the change counter moved (always when forced); reloads run one at a time. */
  refresh(force = false): Promise<void> {
    const run = this.chain.then(() => this.load(force));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async load(force: boolean): Promise<void> {
    const generation = await this.repository.generation();
    if (!force && generation === this.generation) return;
    const rows = await this.repository.all();
    this.runtime = rows.filter((r) => !this.configuredIds.has(r.id));
    this.merged = [...this.configured, ...this.runtime];
    this.generation = generation;
  }

  /** Creates or replaces a runtime issuer; unchanged content writes nothing and emits nothing. */
  async put(
    id: string,
    input: IssuerInput,
    principal: Principal,
  ): Promise<{ issuer: IssuerView; created: boolean; changed: boolean }> {
    this.refuseConfigured(id);
    if (input.id !== undefined && input.id !== id)
      throw new ProblemError(400, {
        type: 'validation-failed',
        title: 'Request validation failed',
        detail: `body id ${input.id} differs from the path's ${id}`,
        errors: [{ path: 'id', message: 'must equal the id in the path' }],
      });
    const issuer = toIssuer(id, input);
    const actor = actorOf(principal);
    const now = new Date(this.clock.now());
    const outcome = await this.repository.transaction(async (manager) => {
      const before = await this.repository.lock(manager, id);
      if (before && canonicalize(strip(before)) === canonicalize(issuer))
        return { created: false, changed: false };
      await this.repository.upsert(manager, issuer, now, `${actor.type}:${actor.id}`);
      await this.outbox.enqueue(
        manager,
        this.event(principal, now, id, before ? 'updated' : 'created', issuer, before),
      );
      if ((before?.trust ?? 0) !== issuer.trust)
        await this.announceConsensusChanges(manager, principal, now, id, issuer.trust);
      return { created: before === null, changed: true };
    });
    await this.refresh(true);
    const stored = this.runtime.find((i) => i.id === id);
    return { ...outcome, issuer: view(stored ?? issuer, 'runtime') };
  }

  async remove(id: string, principal: Principal): Promise<void> {
    this.refuseConfigured(id);
    const now = new Date(this.clock.now());
    await this.repository.transaction(async (manager) => {
      const before = await this.repository.lock(manager, id);
      if (!before)
        throw new ProblemError(404, {
          type: 'issuer-not-found',
          title: 'Issuer not found',
          detail: `no runtime issuer ${id}`,
        });
      await this.repository.remove(manager, id);
      await this.outbox.enqueue(manager, this.event(principal, now, id, 'deleted', null, before));
      if (before.trust !== 0) await this.announceConsensusChanges(manager, principal, now, id, 0);
    });
    await this.refresh(true);
  }

  /**
   * A trust change re-weights the issuer's stored statements (consensus is computed at query time):
   * for each (vulnerability, product) they speak about whose consensus status changes, a
   * `stella.vex.updated` in the same transaction, naming the issuer's latest document about the
   * pair, so the policy service re-evaluates the releases it affects.
   */
  private async announceConsensusChanges(
    manager: EntityManager,
    principal: Principal,
    now: Date,
    id: string,
    trustAfter: number,
  ): Promise<void> {
    const pairs = await this.store.pairsOfIssuer(manager, id, MAX_RECHECK_PAIRS);
    if (pairs.length === 0) return;
    const related = await this.store.statementsForPairs(
      [...new Set(pairs.map((p) => p.vulnerabilityId))],
      [...new Set(pairs.flatMap((p) => lookupKeys(p.productKey)))],
      manager,
    );
    const trustBefore = (issuer: string) => this.trustOf(issuer);
    const trustNow = (issuer: string) => (issuer === id ? trustAfter : this.trustOf(issuer));
    const events: AnyCloudEvent[] = [];
    for (const pair of pairs) {
      if (pair.vulnerabilityId.length > 200 || pair.productKey.length > 2000) continue;
      const keys = lookupKeys(pair.productKey);
      const all = related.filter(
        (s) =>
          keys.includes(s.productKey) &&
          (s.vulnerabilityId === pair.vulnerabilityId || s.aliases.includes(pair.vulnerabilityId)),
      );
      const before = computeConsensus(pair.vulnerabilityId, pair.productKey, issued(trustBefore, all)).status;
      const after = computeConsensus(pair.vulnerabilityId, pair.productKey, issued(trustNow, all)).status;
      if (before === after) continue;
      events.push(
        buildEvent('stella.vex.updated', {
          source: EXCITITOR_ISSUER_EVENT_SOURCE,
          tenant: principal.tenant,
          subject: pair.vulnerabilityId,
          time: now,
          data: {
            tenantId: principal.tenant,
            vulnerabilityId: pair.vulnerabilityId,
            productKey: pair.productKey,
            status: after,
            previousStatus: before,
            documentId: pair.documentId.slice(0, 200),
            documentHash: pair.documentHash,
            actor: actorOf(principal),
          },
        }) as AnyCloudEvent,
      );
    }
    for (let i = 0; i < events.length; i += 500)
      await this.outbox.enqueueMany(manager, events.slice(i, i + 500));
  }

  private refuseConfigured(id: string): void {
    if (this.configuredIds.has(id))
      throw new ProblemError(409, {
        type: 'issuer-configured',
        title: 'Issuer is configured',
        detail: `issuer ${id} comes from the configuration key ${ISSUERS_CONFIG_KEY} and is read-only through the API: change the configuration and restart, or register the issuer under another id`,
      });
  }

  private event(
    principal: Principal,
    now: Date,
    id: string,
    action: 'created' | 'updated' | 'deleted',
    after: IssuerConfig | null,
    before: IssuerConfig | null,
  ): AnyCloudEvent {
    const subject = after ?? before!;
    return buildEvent('stella.vex.issuer.updated', {
      source: EXCITITOR_ISSUER_EVENT_SOURCE,
      tenant: principal.tenant,
      subject: id,
      time: now,
      data: {
        tenantId: principal.tenant,
        issuerId: id,
        action,
        trust: after ? after.trust : null,
        previousTrust: before ? before.trust : null,
        requireSignature: after ? after.requireSignature : null,
        authors: [...subject.authors],
        keyFingerprints: (after?.publicKeys ?? []).map((k) => keyFingerprint(k.publicKeyPem)),
        actor: actorOf(principal),
      },
    }) as AnyCloudEvent;
  }
}

function strip(stored: StoredIssuer): IssuerConfig {
  return {
    id: stored.id,
    trust: stored.trust,
    authors: stored.authors,
    publicKeys: stored.publicKeys,
    requireSignature: stored.requireSignature,
  };
}

function view(issuer: IssuerConfig | StoredIssuer, source: 'config' | 'runtime'): IssuerView {
  const stored = issuer as Partial<StoredIssuer>;
  return {
    id: issuer.id,
    source,
    trust: issuer.trust,
    authors: issuer.authors,
    publicKeys: issuer.publicKeys.map((k) => ({
      ...(k.keyId !== undefined ? { keyId: k.keyId } : {}),
      publicKeyPem: k.publicKeyPem,
      fingerprint: safeFingerprint(k.publicKeyPem),
    })),
    requireSignature: issuer.requireSignature,
    ...(stored.createdAt ? { createdAt: stored.createdAt } : {}),
    ...(stored.updatedAt ? { updatedAt: stored.updatedAt } : {}),
    ...(stored.updatedBy ? { updatedBy: stored.updatedBy } : {}),
  };
}

/** Configured keys were never parsed at startup; one that does not parse has no fingerprint. */
function safeFingerprint(pem: string): string {
  try {
    return keyFingerprint(pem);
  } catch {
    return 'invalid';
  }
}
