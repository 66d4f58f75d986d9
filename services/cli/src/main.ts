import { Command, CommanderError } from 'commander';
import { doctorCommand } from './commands/doctor.command';
import { loginCommand } from './commands/login.command';
import { matchCommand } from './commands/match.command';
import { whoamiCommand } from './commands/whoami.command';
import { scanCommand } from './commands/scan.command';
import { ConfigError } from '@stella/config';

/** Every command the CLI has; later features add theirs here. */
export function buildProgram(): Command {
  const program = new Command('stella')
    .description('Stella Ops: evidence-grade release control plane')
    .version(readVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(loginCommand());
  program.addCommand(whoamiCommand());
  program.addCommand(doctorCommand());
  program.addCommand(scanCommand());
  program.addCommand(matchCommand());
  for (const command of program.commands) command.exitOverride();
  return program;
}

function readVersion(): string {
  return (require('../package.json') as { version: string }).version;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const json = argv.includes('--json');
    const message =
      error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    if (json) process.stdout.write(JSON.stringify({ error: message }, null, 2) + '\n');
    else process.stderr.write(`stella: ${message}\n`);
    return 1;
  }
}
