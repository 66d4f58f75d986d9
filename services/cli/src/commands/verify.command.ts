import { Command, Option } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import type * as Evidence from '@stella/evidence';

export interface VerifyCommandOptions {
  packet: string;
  /** Path of the pinned Stella root CA certificate (PEM). */
  ca: string;
  /** Path of a file holding the log's verifier key, or the key itself (`<origin>+<hash>+<base64>`). */
  logKey: string;
  maxBytes: number;
  json?: boolean;
}

export interface CommandOutcome {
  /** 0: every check passed; 1: a check failed; 2: the archive was refused or unreadable. */
  exitCode: number;
  text: string;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** The verifier key: the argument itself when it looks like one, otherwise the file it names. */
export async function readLogKey(value: string): Promise<string> {
  if (/^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(value)) return value;
  const text = (await readFile(value, 'utf8')).trim();
  try {
    // `GET /api/v1/log/key` answers {origin, vkey}: accept that file as is.
    const parsed = JSON.parse(text) as { vkey?: unknown };
    if (typeof parsed.vkey === 'string') return parsed.vkey;
  } catch {
    // a plain vkey line
  }
  return text;
}

/**
 * `stella verify <packet.tar>`: fully offline. Needs only the pinned root CA and the log key;
 * prints one line per check and names the file of each failure.
 */
export async function runVerify(options: VerifyCommandOptions): Promise<CommandOutcome> {
  const evidence = require('@stella/evidence') as typeof Evidence;
  const info = await stat(options.packet);
  if (info.size > options.maxBytes) {
    return refused(options, `${options.packet} is ${info.size} bytes, more than --max-bytes ${options.maxBytes}`);
  }
  const [archive, caPem, logKey] = await Promise.all([readFile(options.packet), readFile(options.ca, 'utf8'), readLogKey(options.logKey)]);
  let report: Evidence.VerifyReport;
  try {
    report = await evidence.verifyArchive(archive, { caPem, logKey, limits: { maxArchiveBytes: options.maxBytes } });
  } catch (error) {
    if (evidence.isEvidenceError(error)) return refused(options, `${options.packet} refused: ${error.message}`);
    throw error;
  }
  const failed = report.checks.filter((c) => !c.ok);
  if (options.json) {
    return { exitCode: report.ok ? 0 : 1, text: `${JSON.stringify({ packet: options.packet, kind: report.kind, ok: report.ok, checks: report.checks }, null, 2)}\n` };
  }
  const lines = report.checks.map((c) => {
    const where = c.file ? ` ${c.file}` : '';
    return c.ok ? `pass  ${c.name}${where}${c.detail ? ` (${c.detail})` : ''}` : `FAIL  ${c.name}${where}: ${c.detail ?? 'failed'}`;
  });
  lines.push(
    report.ok
      ? `verified: ${report.kind} ${options.packet} (${report.checks.length} checks passed)`
      : `NOT verified: ${failed.length} of ${report.checks.length} checks failed (${[...new Set(failed.map((c) => c.file).filter(Boolean))].join(', ')})`,
  );
  return { exitCode: report.ok ? 0 : 1, text: `${lines.join('\n')}\n` };
}

function refused(options: VerifyCommandOptions, message: string): CommandOutcome {
  return options.json
    ? { exitCode: 2, text: `${JSON.stringify({ packet: options.packet, ok: false, refused: message }, null, 2)}\n` }
    : { exitCode: 2, text: `FAIL  archive ${options.packet}: ${message}\nNOT verified\n` };
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description('Verify an evidence packet or audit pack offline: file hashes, signatures, certificate chains at signing time, log inclusion, decision consistency')
    .argument('<packet>', 'the evidence packet or audit pack (.tar)')
    .requiredOption('--ca <file>', 'the pinned Stella root CA certificate (PEM)')
    .requiredOption('--log-key <key|file>', "the transparency log's verifier key, or a file holding it (GET /api/v1/log/key)")
    .addOption(new Option('--max-bytes <n>', 'refuse archives larger than this').default(DEFAULT_MAX_BYTES).argParser((v) => positiveInt(v)))
    .option('--json', 'machine-readable report')
    .action(async (packet: string, opts: { ca: string; logKey: string; maxBytes: number; json?: boolean }) => {
      const outcome = await runVerify({ packet, ...opts });
      process.stdout.write(outcome.text);
      process.exitCode = outcome.exitCode;
    });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${value}`);
  return n;
}
