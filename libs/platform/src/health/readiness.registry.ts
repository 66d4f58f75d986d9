import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

export interface CheckResult {
  name: string;
  status: 'up' | 'down';
  durationMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not-ready' | 'draining';
  checks: CheckResult[];
}

const DEFAULT_TIMEOUT_MS = 2000;

/** Dependencies a service needs before it can take traffic (Postgres, NATS, object store, ...). */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, { check: ReadinessCheck; timeoutMs: number }>();

  register(name: string, check: ReadinessCheck, timeoutMs = DEFAULT_TIMEOUT_MS): void {
    this.checks.set(name, { check, timeoutMs });
  }

  names(): string[] {
    return [...this.checks.keys()].sort();
  }

  async evaluate(): Promise<CheckResult[]> {
    const entries = [...this.checks.entries()].sort(([a], [b]) => a.localeCompare(b));
    return Promise.all(entries.map(([name, { check, timeoutMs }]) => runWithTimeout(name, check, timeoutMs)));
  }
}

async function runWithTimeout(name: string, check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, status: 'up', durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      name,
      status: 'down',
      durationMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
