import { z } from 'zod';
import { DoctorCheckResult, errorMessage, fail, MAX_CLOCK_SKEW_MS, pass, warn } from './check';

const versionSchema = z.object({ version: z.string(), gitCommit: z.string(), buildDate: z.string() });

export interface ServiceEndpoint {
  name: string;
  url: string;
}

/** Readiness of each service, clock skew against its Date header, and version skew across the fleet. */
export async function checkServices(
  services: ServiceEndpoint[],
  now: () => number = Date.now,
): Promise<DoctorCheckResult[]> {
  if (services.length === 0) {
    return [
      warn(
        'services',
        'no services known',
        'start the fleet with `npm run quickstart`, or point STELLA_FLEET_FILE at its fleet.json',
      ),
    ];
  }
  const results: DoctorCheckResult[] = [];
  const versions = new Map<string, string[]>();
  for (const service of services) {
    const name = `service:${service.name}`;
    try {
      const started = now();
      const readiness = await fetch(new URL('/health/readiness', service.url), {
        signal: AbortSignal.timeout(5000),
      });
      const body = (await readiness.json().catch(() => ({}))) as {
        status?: string;
        checks?: Array<{ name: string; status: string; error?: string }>;
      };
      const down = (body.checks ?? []).filter((c) => c.status !== 'up');
      if (readiness.status === 200) results.push(pass(name, `ready at ${service.url}`));
      else
        results.push(
          fail(
            name,
            `not ready (${body.status ?? readiness.status})${down.length ? `: ${down.map((c) => `${c.name}: ${c.error ?? c.status}`).join('; ')}` : ''}`,
            `see the ${service.name} log (.stella/logs/${service.name}.log under quickstart)`,
          ),
        );
      const date = readiness.headers.get('date');
      if (date) {
        // HTTP dates have 1 s resolution: allow that on top of the skew budget.
        const skew = Date.parse(date) - started;
        if (Math.abs(skew) > MAX_CLOCK_SKEW_MS + 1000)
          results.push(
            fail(
              `clock-skew:${service.name}`,
              `clock differs by ~${Math.round(skew / 1000)} s`,
              'synchronise clocks with NTP',
            ),
          );
      }
      const version = versionSchema.parse(
        await (await fetch(new URL('/version', service.url), { signal: AbortSignal.timeout(5000) })).json(),
      );
      const key = `${version.version} (${version.gitCommit.slice(0, 12)})`;
      versions.set(key, [...(versions.get(key) ?? []), service.name]);
    } catch (error) {
      results.push(
        fail(
          name,
          `unreachable at ${service.url}: ${errorMessage(error)}`,
          `start it (npm run quickstart) or fix its URL in the fleet file`,
        ),
      );
    }
  }
  if (versions.size > 1) {
    results.push(
      fail(
        'version-skew',
        [...versions.entries()].map(([v, s]) => `${v}: ${s.join(', ')}`).join('; '),
        'upgrade every service to the same release',
      ),
    );
  } else if (versions.size === 1) {
    results.push(pass('version-skew', `every service runs ${[...versions.keys()][0]}`));
  }
  return results;
}
