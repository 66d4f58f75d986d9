import { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import type * as Evidence from '@stella/evidence';
import type { CommandOutcome } from './verify.command';

const MAX_BYTES = 256 * 1024 * 1024;

/**
 * `stella replay <packet.tar>`: re-evaluates every gate from the recorded inputs with the
 * recorded evaluator versions (libs/gates), rebuilds the decision record and prints `reproduced`
 * when the bytes are identical, otherwise each differing field path; exit 1 when not reproduced.
 */
export async function runReplay(options: { packet: string; json?: boolean }): Promise<CommandOutcome> {
  const evidence = require('@stella/evidence') as typeof Evidence;
  const info = await stat(options.packet);
  if (info.size > MAX_BYTES) return { exitCode: 2, text: `${options.packet} is ${info.size} bytes, more than ${MAX_BYTES}\n` };
  let report: Evidence.ReplayReport;
  try {
    report = await evidence.replayPacket(await readFile(options.packet));
  } catch (error) {
    if (evidence.isEvidenceError(error)) return { exitCode: 2, text: `${options.packet} refused: ${error.message}\n` };
    throw error;
  }
  if (options.json) return { exitCode: report.reproduced ? 0 : 1, text: `${JSON.stringify(report, null, 2)}\n` };
  if (report.reproduced) return { exitCode: 0, text: `reproduced ${report.decisionId ?? ''}\n`.replace(' \n', '\n') };
  if (report.error !== undefined) return { exitCode: 1, text: `not reproduced: ${report.error}\n` };
  const lines = report.differences.map((d) => `  ${d.path}: recorded ${JSON.stringify(d.recorded)}, replayed ${JSON.stringify(d.replayed)}`);
  return { exitCode: 1, text: `not reproduced: ${report.differences.length} field(s) differ\n${lines.join('\n')}\n` };
}

export function replayCommand(): Command {
  return new Command('replay')
    .description('Re-run a decision from an evidence packet and check the rebuilt record is byte-identical (offline)')
    .argument('<packet>', 'the evidence packet (.tar)')
    .option('--json', 'machine-readable report')
    .action(async (packet: string, opts: { json?: boolean }) => {
      const outcome = await runReplay({ packet, ...opts });
      process.stdout.write(outcome.text);
      process.exitCode = outcome.exitCode;
    });
}
