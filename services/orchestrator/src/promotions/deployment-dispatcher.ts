import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from '@stella/observability';
import { Lifecycle, STELLA_LOGGER } from '@stella/platform';
import { ORCHESTRATOR_ACTOR } from '../common/actor';
import { tenantIdOf } from '../common/tenancy';
import { CommitNotifier } from '../persistence/commit-notifier';
import { UnitOfWork } from '../persistence/unit-of-work';
import { PromotionChange, PromotionFlow } from './promotion-flow';
import { PromotionsRepository } from './promotions.repository';

const SWEEP_MS = 2000;
const MAX_PER_PASS = 200;

/**
 * Starts approved promotions that found their environment's slot locked (or busy). One pass per
 * environment at a time in this process; each pass waits for the slot lock, then starts the
 * oldest queued promotion (reported mode) or records every queued one in order (on-approval mode),
 * in one transaction. Woken after commits; a sweep catches promotions left behind by a crash.
 */
@Injectable()
export class DeploymentDispatcher implements OnApplicationBootstrap {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private stopped = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly promotions: PromotionsRepository,
    private readonly flow: PromotionFlow,
    private readonly notifier: CommitNotifier,
    private readonly lifecycle: Lifecycle,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const unsubscribe = this.notifier.subscribe(({ tenant, queuedEnvironments }) => {
      for (const environment of queuedEnvironments) this.dispatch(tenant, environment);
    });
    const timer = setInterval(() => void this.sweep(), SWEEP_MS);
    timer.unref();
    this.lifecycle.onShutdown('deployment-dispatcher', async () => {
      this.stopped = true;
      clearInterval(timer);
      unsubscribe();
      await Promise.allSettled([...this.running.values()]);
    });
  }

  dispatch(tenant: string, environment: string): void {
    if (this.stopped) return;
    const key = `${tenant}\u0000${environment}`;
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    const run = (async () => {
      do {
        this.again.delete(key);
        try {
          await this.pass(tenant, environment);
        } catch (error) {
          this.logger.error({ err: error, tenant, environment }, 'starting queued deployments failed; retried by the sweep');
        }
      } while (this.again.has(key) && !this.stopped);
    })().finally(() => this.running.delete(key));
    this.running.set(key, run);
  }

  private async sweep(): Promise<void> {
    try {
      for (const { tenant, environment } of await this.promotions.queuedEnvironments(this.uow.manager, 100)) {
        this.dispatch(tenant, environment);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'deployment queue sweep failed');
    }
  }

  private async pass(tenant: string, environment: string): Promise<void> {
    await this.uow.run(tenantIdOf(tenant), async (tx) => {
      const slot = await this.promotions.lockDeploymentSlot(tx.manager, tx.tenant, environment);
      if (slot.busy) return;
      const handled: string[] = [];
      for (let started = 0; started < MAX_PER_PASS; started += 1) {
        const next = await this.promotions.nextQueued(tx.manager, tx.tenant, environment, handled);
        if (!next) return;
        const queued = await this.promotions.lock(tx.manager, tx.tenant, next);
        if (!queued) return;
        handled.push(next);
        const change = new PromotionChange(queued.promotion, false);
        const at = tx.now.toISOString();
        if (queued.environment.policy.deployment.mode === 'on-approval') {
          this.flow.transition(tx, change, 'deploying', ORCHESTRATOR_ACTOR, at, 'deployment recorded on approval');
          await this.flow.recordDeployed(tx, change, ORCHESTRATOR_ACTOR, 'recorded on approval (no deployer)');
          await this.flow.save(tx, change);
          continue;
        }
        this.flow.transition(tx, change, 'deploying', ORCHESTRATOR_ACTOR, at, 'deployment slot acquired');
        await this.flow.save(tx, change);
        return;
      }
    });
  }
}
