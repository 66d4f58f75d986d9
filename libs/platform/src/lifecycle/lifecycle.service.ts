import { Injectable } from '@nestjs/common';

interface ShutdownHook {
  name: string;
  run: () => Promise<void>;
}

/**
 * Graceful shutdown. On SIGTERM the service first turns not-ready (load balancers and
 * the fleet runner stop sending work), then runs the hooks in reverse registration order
 * (consumers drain, relays stop, connections close), all within the shutdown deadline.
 */
@Injectable()
export class Lifecycle {
  private isDraining = false;
  private readonly hooks: ShutdownHook[] = [];

  get draining(): boolean {
    return this.isDraining;
  }

  onShutdown(name: string, run: () => Promise<void>): void {
    this.hooks.push({ name, run });
  }

  beginDrain(): void {
    this.isDraining = true;
  }

  /** Runs every hook once, last registered first; returns the failures instead of throwing. */
  async runShutdownHooks(): Promise<Array<{ name: string; error: unknown }>> {
    this.beginDrain();
    const failures: Array<{ name: string; error: unknown }> = [];
    for (const hook of this.hooks.splice(0).reverse()) {
      try {
        await hook.run();
      } catch (error) {
        failures.push({ name: hook.name, error });
      }
    }
    return failures;
  }
}
