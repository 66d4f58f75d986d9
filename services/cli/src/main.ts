import { Command, CommanderError } from 'commander';

/**
 * Every command the CLI has, by name, loaded on demand: `stella <command>` requires only that
 * command's module graph (a local `stella scan` never loads pg, nats, the event catalogue, undici or
 * the other commands' schemas). Later features add theirs here.
 */
const COMMANDS: Record<string, () => Command> = {
  login: () =>
    (require('./commands/login.command') as typeof import('./commands/login.command')).loginCommand(),
  whoami: () =>
    (require('./commands/whoami.command') as typeof import('./commands/whoami.command')).whoamiCommand(),
  doctor: () =>
    (require('./commands/doctor.command') as typeof import('./commands/doctor.command')).doctorCommand(),
  scan: () => (require('./commands/scan.command') as typeof import('./commands/scan.command')).scanCommand(),
  match: () =>
    (require('./commands/match.command') as typeof import('./commands/match.command')).matchCommand(),
  verify: () =>
    (require('./commands/verify.command') as typeof import('./commands/verify.command')).verifyCommand(),
  replay: () =>
    (require('./commands/replay.command') as typeof import('./commands/replay.command')).replayCommand(),
  release: () => (require('./commands/release.command') as typeof import('./commands/release.command')).releaseCommand(),
  promote: () => (require('./commands/release.command') as typeof import('./commands/release.command')).promoteCommand(),
  approve: () => (require('./commands/release.command') as typeof import('./commands/release.command')).approveCommand(),
  inventory: () =>
    (require('./commands/release.command') as typeof import('./commands/release.command')).inventoryCommand(),
  audit: () => (require('./commands/release.command') as typeof import('./commands/release.command')).auditCommand(),
};

/** The program with every command, or with `only` the named one (what `main` does for `stella <name> …`). */
export function buildProgram(only?: string): Command {
  const program = new Command('stella')
    .description('Stella Ops: evidence-grade release control plane')
    .version(readVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  for (const [name, load] of Object.entries(COMMANDS)) {
    if (only === undefined || only === name) program.addCommand(load());
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** The command named by argv (the first argument after the script), when it is one of ours. */
export function invokedCommand(argv: string[]): string | undefined {
  const first = argv[2];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

function readVersion(): string {
  return (require('../package.json') as { version: string }).version;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram(invokedCommand(argv));
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const json = argv.includes('--json');
    const { ConfigError } = require('@stella/config') as typeof import('@stella/config');
    const message =
      error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    if (json) process.stdout.write(JSON.stringify({ error: message }, null, 2) + '\n');
    else process.stderr.write(`stella: ${message}\n`);
    return 1;
  }
}
