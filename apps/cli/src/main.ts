// Entry point of `spk`: parse, resolve where to connect, dispatch to one command, and turn any
// failure into a message and an exit code. `runCli` binds it to the real process for the bin.
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { parseCliArgs, UsageError, wantsJson, type Command, type ParsedArgs } from './args.ts';
import { createSpkClient, resolveConnection, type Connection, type Env } from './client.ts';
import { runCapsCommand } from './commands/caps.ts';
import { runFsckCommand } from './commands/fsck.ts';
import { runGcCommand } from './commands/gc.ts';
import { runHistoryCommand } from './commands/history.ts';
import { runHostsCommand } from './commands/hosts.ts';
import { runInstallCommand } from './commands/install.ts';
import { runInstallScriptsCommand } from './commands/install-scripts.ts';
import { runPackagesCommand } from './commands/packages.ts';
import { runRegistryCommand } from './commands/registry.ts';
import { runRegistryInfoCommand } from './commands/registry-info.ts';
import { runRollbackCommand } from './commands/rollback.ts';
import { runRunCommand } from './commands/run.ts';
import { runSatellitesCommand } from './commands/satellites.ts';
import { runStatusCommand } from './commands/status.ts';
import { runStorageCommand } from './commands/storage.ts';
import { runTokensCommand } from './commands/tokens.ts';
import type { CliIo, CommandContext } from './commands/context.ts';
import { helpText, usageHint } from './commands/help.ts';
import { describeError } from './errors.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { CLI_VERSION } from './version.ts';

export interface MainDeps {
  argv: readonly string[];
  env: Env;
  cwd: string;
  io: CliIo;
  /** The token file reader: contents, or null when the file does not exist. */
  readTokenFile(filePath: string): Promise<string | null>;
}

async function dispatch(ctx: CommandContext, command: Exclude<Command, { kind: 'help' | 'version' }>): Promise<void> {
  switch (command.kind) {
    case 'packages.list':
    case 'packages.add':
    case 'packages.set':
    case 'packages.enable':
    case 'packages.disable':
    case 'packages.remove':
      return runPackagesCommand(ctx, command);
    case 'installScripts.get':
    case 'installScripts.allow':
    case 'installScripts.disallow':
      return runInstallScriptsCommand(ctx, command);
    case 'install':
      return runInstallCommand(ctx, command);
    case 'status':
      return runStatusCommand(ctx);
    case 'hosts':
      return runHostsCommand(ctx);
    case 'search':
    case 'info':
      return runRegistryInfoCommand(ctx, command);
    case 'registry.get':
    case 'registry.set':
    case 'registry.importNpmrc':
    case 'registry.rotateKey':
      return runRegistryCommand(ctx, command);
    case 'caps.get':
    case 'caps.set':
      return runCapsCommand(ctx, command);
    case 'run':
      return runRunCommand(ctx, command);
    case 'fsck':
      return runFsckCommand(ctx, command);
    case 'tokens.create':
    case 'tokens.list':
    case 'tokens.revoke':
      return runTokensCommand(ctx, command);
    case 'satellites.create':
    case 'satellites.list':
    case 'satellites.revoke':
      return runSatellitesCommand(ctx, command);
    case 'storage.get':
    case 'storage.set':
    case 'storage.state':
    case 'storage.migrate':
      return runStorageCommand(ctx, command);
    case 'history':
    case 'history.pin':
      return runHistoryCommand(ctx, command);
    case 'rollback':
      return runRollbackCommand(ctx, command);
    case 'gc.run':
    case 'gc.state':
      return runGcCommand(ctx, command);
  }
}

export async function main(deps: MainDeps): Promise<ExitCode> {
  const { io } = deps;
  let parsed: ParsedArgs | null = null;
  let connection: Connection | null = null;
  try {
    parsed = parseCliArgs(deps.argv);
    const { command, global } = parsed;
    if (command.kind === 'help') {
      io.stdout(helpText(command.topic));
      return EXIT.OK;
    }
    if (command.kind === 'version') {
      io.stdout(`spk ${CLI_VERSION}\n`);
      return EXIT.OK;
    }
    connection = await resolveConnection(global, { env: deps.env, cwd: deps.cwd, readFile: deps.readTokenFile });
    const client = createSpkClient(connection);
    await dispatch({ client, serverUrl: connection.serverUrl, io, json: global.json }, command);
    return EXIT.OK;
  } catch (error) {
    const failure = describeError(error, connection);
    if (parsed?.global.json ?? wantsJson(deps.argv)) {
      io.stderr(`${JSON.stringify({ error: failure.json })}\n`);
    } else {
      io.stderr(`spk: ${failure.message}\n`);
      if (error instanceof UsageError) io.stderr(usageHint(error.topic));
    }
    return failure.exitCode;
  }
}

async function readTokenFile(filePath: string): Promise<string | null> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    readStdin,
    readTextFile: (filePath) => readFile(filePath, 'utf8'),
    sleep: (ms) => delay(ms),
  };
}

export function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<ExitCode> {
  // `spk packages list | head -1` closes stdout early; that is the reader's choice, not a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  return main({ argv, env: process.env, cwd: process.cwd(), io: processIo(), readTokenFile });
}
