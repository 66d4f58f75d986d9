import { Command } from 'commander';
import { dirname } from 'node:path';
import { loadCliConfig } from '../cli-config';
import { DoctorCheckResult } from '../doctor/check';
import { checkFreeDisk, checkSecretFiles } from '../doctor/host.checks';
import { checkServices } from '../doctor/service.checks';
import { createOutput } from '../output';
import { CredentialsStore } from '../session/credentials-store';
import { readFleetFile } from '../session/fleet-file';

/**
 * JetStream streams the fleet needs: one per event domain (`stella.<domain>.*` is stored in
 * `<PREFIX>_<DOMAIN>`) plus the dead-letter stream, named as libs/bus provisions them.
 */
export function expectedStreams(prefix: string): string[] {
  // Loaded on use: every CLI start (e.g. a local `stella scan`) must not pay for the catalogue.
  const { listEventDefinitions } = require('@stella/contracts') as typeof import('@stella/contracts');
  const domains = new Set(listEventDefinitions().map((d) => d.type.split('.')[1] ?? ''));
  return [
    ...[...domains].filter(Boolean).map((d) => `${prefix}_${d}`.toUpperCase()),
    `${prefix}_DLQ`.toUpperCase(),
  ].sort();
}

const SYMBOL = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

export function formatDoctorLine(r: DoctorCheckResult): string {
  return `${SYMBOL[r.status]}  ${r.name.padEnd(28)} ${r.detail}${r.fix ? `\n      fix: ${r.fix}` : ''}`;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description(
      'check Postgres, NATS/JetStream streams, every service, clock and version skew, secret files and disk',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      // pg and nats load only when doctor runs.
      const { checkNats, checkPostgres } =
        require('../doctor/infrastructure.checks') as typeof import('../doctor/infrastructure.checks');
      const config = loadCliConfig();
      const fleet = await readFleetFile(config.fleetFile);
      const databaseUrl = fleet?.databaseUrl ?? config.databaseUrl;
      const natsUrl = fleet?.natsUrl ?? config.natsUrl;
      const prefix = fleet?.natsPrefix ?? config.natsPrefix;
      const credentials = new CredentialsStore(config.home);
      const secretFiles = [...(fleet?.secretFiles ?? [])];
      if ((await credentials.load().catch(() => undefined)) !== undefined) secretFiles.push(credentials.path);

      const [pg, nats, services, files, disk] = await Promise.all([
        checkPostgres(databaseUrl),
        checkNats(natsUrl, expectedStreams(prefix)),
        checkServices(fleet?.services ?? []),
        checkSecretFiles(secretFiles),
        checkFreeDisk(fleet?.dataDir ?? dirname(config.fleetFile)),
      ]);
      const results = [...pg, ...nats, ...services, ...files, disk];
      const failed = results.filter((r) => r.status === 'fail').length;
      const warned = results.filter((r) => r.status === 'warn').length;
      out.result(
        [
          ...results.map(formatDoctorLine),
          '',
          failed
            ? `${failed} check(s) failed, ${warned} warning(s)`
            : `all ${results.length} checks passed${warned ? ` (${warned} warning(s))` : ''}`,
        ].join('\n'),
        { ok: failed === 0, checks: results },
      );
      if (failed) process.exitCode = 1;
    });
}
