import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Bus } from '@stella/bus';
import type { Logger } from '@stella/observability';
import { STELLA_BUS, STELLA_CONFIG, STELLA_LOGGER } from '@stella/platform';
import type { Subscription } from 'nats';
import type { OrchestratorConfig } from '../config/orchestrator-config';
import type { TenantId } from '../common/tenancy';
import { CommitNotifier } from '../persistence/commit-notifier';
import { UnitOfWork } from '../persistence/unit-of-work';
import { isFinal, type PromotionState, type TransitionView } from './promotion.model';
import { promotionNotFound, PromotionsRepository } from './promotions.repository';

/**
 * Streams a promotion's transitions as they happen. Postgres is the source of truth: a stream
 * re-reads the transitions after the last one it sent whenever it is woken — by a commit in this
 * process, by a transition event from JetStream (other replicas), or by a fallback poll — so it
 * never skips or repeats one, and ends after a final state.
 */
@Injectable()
export class PromotionWatchHub implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscription: Subscription | undefined;
  private unsubscribeLocal: (() => void) | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly promotions: PromotionsRepository,
    private readonly notifier: CommitNotifier,
    @Inject(STELLA_BUS) private readonly bus: Bus,
    @Inject(STELLA_CONFIG) private readonly config: OrchestratorConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribeLocal = this.notifier.subscribe(({ tenant, promotionIds }) => {
      for (const id of promotionIds) this.wake(tenant, id);
    });
    this.subscription = this.bus.nc.subscribe(`${this.bus.prefix}.orchestrator.promotion.>`, {
      callback: (error, message) => {
        // Most of the time nobody watches: do not even parse.
        if (error || this.waiters.size === 0) return;
        try {
          const event = message.json<{ tenant?: string; data?: { promotionId?: string } }>();
          if (event.tenant && event.data?.promotionId) this.wake(event.tenant, event.data.promotionId);
        } catch (parseError) {
          this.logger.warn({ err: parseError, subject: message.subject }, 'unreadable promotion event ignored by watchers');
        }
      },
    });
  }

  onModuleDestroy(): void {
    this.unsubscribeLocal?.();
    if (this.subscription && !this.subscription.isClosed()) this.subscription.unsubscribe();
    for (const set of this.waiters.values()) for (const wake of set) wake();
  }

  /** Transitions with seq > afterSeq, then each new one; ends after a final state or on abort. */
  async *watch(tenant: TenantId, promotionId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<TransitionView & { state: PromotionState }> {
    const key = `${tenant}/${promotionId}`;
    let dirty = true;
    let release: (() => void) | undefined;
    const wake = () => {
      dirty = true;
      release?.();
    };
    const set = this.waiters.get(key) ?? new Set();
    set.add(wake);
    this.waiters.set(key, set);
    signal.addEventListener('abort', wake);
    let seq = afterSeq;
    try {
      while (!signal.aborted) {
        if (!dirty) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.config.orchestratorWatchPollMs);
            release = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          release = undefined;
          if (signal.aborted) return;
        }
        dirty = false;
        const batch = await this.promotions.transitionsAfter(this.uow.manager, tenant, promotionId, seq);
        if (!batch) throw promotionNotFound(promotionId);
        for (const transition of batch.transitions) {
          seq = transition.seq;
          yield { ...transition, state: transition.to };
        }
        if (isFinal(batch.state)) return;
      }
    } finally {
      signal.removeEventListener('abort', wake);
      set.delete(wake);
      if (set.size === 0) this.waiters.delete(key);
    }
  }

  private wake(tenant: string, promotionId: string): void {
    const set = this.waiters.get(`${tenant}/${promotionId}`);
    if (set) for (const wake of set) wake();
  }
}
