import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Principal } from '@stella/auth';
import { OutboxWriter } from '@stella/bus';
import { canonicalize } from '@stella/canonical';
import { buildEvent, type AnyCloudEvent } from '@stella/contracts';
import { ProblemError, STELLA_CONFIG } from '@stella/platform';
import { actorOf } from '../common/actor';
import { EXCITITOR_CLOCK, type Clock } from '../common/ports';
import type { ExcititorConfig, IssuerConfig } from '../config/excititor-config';
import { keyFingerprint, toIssuer, type IssuerInput } from './issuer-input';
import { IssuerRepository, type StoredIssuer } from './issuer.repository';

export const EXCITITOR_ISSUER_EVENT_SOURCE = '/stella/excititor';
/** Where configured issuers come from, named in 409s. */
export const ISSUERS_CONFIG_KEY = 'excititorIssuers (STELLA_EXCITITOR_ISSUERS)';

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
    });
    await this.refresh(true);
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
