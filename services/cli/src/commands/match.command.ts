import { Command, Option } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import type * as Matching from '@stella/matching';

export type MatchFormat = 'json' | 'sarif' | 'table';
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
type FailOn = (typeof SEVERITIES)[number];

export interface MatchOptions {
  sbom: string;
  advisories: string;
  format: MatchFormat;
  output?: string;
  failOn?: FailOn;
}

export interface MatchOutcome {
  /** 0: done; 3: a finding at or above --fail-on. */
  exitCode: number;
  text: string;
}

const RANK: Record<string, number> = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

/**
 * `stella match`: offline, no server. Reads advisories from a directory, a file or a mirror
 * bundle, matches the SBOM's components and renders the findings. The matching library is
 * required lazily so other commands do not pay for loading it.
 */
export async function runMatch(options: MatchOptions): Promise<MatchOutcome> {
  const matching = require('@stella/matching') as typeof Matching;
  let sbom: unknown;
  try {
    sbom = JSON.parse(await readFile(options.sbom, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the SBOM ${options.sbom}: ${(error as Error).message}`);
  }
  const { components, skipped } = matching.cycloneDxComponents(sbom);
  const loaded = await matching.loadAdvisoryPath(options.advisories);
  const errors = loaded.issues.filter((i) => i.level === 'error');
  const index = matching.AdvisoryIndex.fromRecords(loaded.records);
  const report = index.match(components);
  const allSkipped = [...skipped, ...report.skipped];
  let text: string;
  if (options.format === 'sarif') {
    text =
      JSON.stringify(
        matching.toSarif(report, { sbomUri: options.sbom, toolVersion: cliVersion() }),
        null,
        2,
      ) + '\n';
  } else if (options.format === 'json') {
    text =
      JSON.stringify(
        {
          sbom: options.sbom,
          advisories: {
            path: options.advisories,
            records: loaded.records.length,
            indexed: report.advisoriesIndexed,
            refused: errors.length,
            files: loaded.files.length,
          },
          componentsEvaluated: report.componentsEvaluated,
          findings: report.findings,
          undetermined: report.undetermined,
          skipped: allSkipped,
          importIssues: errors.slice(0, 100),
        },
        null,
        2,
      ) + '\n';
  } else {
    text = table(report, allSkipped.length, loaded.records.length, errors.length);
  }
  if (options.output) await writeFile(options.output, text);
  const threshold = options.failOn ? RANK[options.failOn.toUpperCase()]! : Infinity;
  const failing = report.findings.some(
    (f) => f.severity.level !== null && (RANK[f.severity.level] ?? 0) >= threshold,
  );
  return { exitCode: failing ? 3 : 0, text: options.output ? '' : text };
}

function table(report: Matching.MatchReport, skipped: number, records: number, refused: number): string {
  const rows = report.findings.map((f) => [
    `${f.component.name}@${f.component.version}`,
    f.advisoryId,
    f.source,
    f.aliases.slice(0, 3).join(' ') + (f.aliases.length > 3 ? ' …' : ''),
    f.severity.level
      ? `${f.severity.level}${f.severity.score !== null ? ` ${f.severity.score.toFixed(1)}` : ''}`
      : '-',
    f.fixedIn ?? '(none)',
    f.kev ? 'KEV' : '',
    f.epss ? f.epss.epss.toFixed(3) : '',
  ]);
  // SOURCE tells apart two records of one advisory from different feeds (the Debian tracker's list
  // and its OSV conversion): aggregation never merges them, so the table must show why both appear.
  const header = ['COMPONENT', 'ADVISORY', 'SOURCE', 'ALIASES', 'SEVERITY', 'FIXED IN', 'KEV', 'EPSS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const summary =
    `${report.findings.length} finding(s) in ${report.componentsEvaluated} component(s) against ${report.advisoriesIndexed} advisories` +
    ` (${records} records read${refused ? `, ${refused} refused` : ''}; ${skipped} component(s) skipped; ${report.undetermined.length} undetermined)`;
  return [line(header), ...rows.map(line), '', summary].join('\n') + '\n';
}

function cliVersion(): string {
  return (require('../../package.json') as { version: string }).version;
}

export function matchCommand(): Command {
  return new Command('match')
    .description(
      'match an SBOM against advisories offline (no server): findings with aliases, severity, fixed versions, KEV, EPSS',
    )
    .requiredOption('--sbom <file>', 'CycloneDX JSON SBOM')
    .option(
      '--advisories <path>',
      'advisory directory, file or mirror bundle (OSV, NVD, KEV, EPSS, Debian tracker)',
      '.stella/advisories',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['json', 'sarif', 'table']).default('table'),
    )
    .option('--output <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--fail-on <severity>', 'exit 3 when a finding is at or above this severity').choices([
        ...SEVERITIES,
      ]),
    )
    .action(
      async (opts: {
        sbom: string;
        advisories: string;
        format: MatchFormat;
        output?: string;
        failOn?: FailOn;
      }) => {
        const outcome = await runMatch({
          sbom: opts.sbom,
          advisories: opts.advisories,
          format: opts.format,
          ...(opts.output ? { output: opts.output } : {}),
          ...(opts.failOn ? { failOn: opts.failOn } : {}),
        });
        if (outcome.text) process.stdout.write(outcome.text);
        process.exitCode = outcome.exitCode;
      },
    );
}
