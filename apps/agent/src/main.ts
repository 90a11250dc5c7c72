// `spk-agent`'s entry: parses the command line and runs the daemon or `run <file>`, printing
// failures the way `spk` does (a `spk-agent:` line, or `{"error": …}` under --json) with the
// shared exit codes.
import { EXIT, isSpkError, type ExitCode } from '@spk/common';
import { parseAgentArgs, USAGE, UsageError } from './args.ts';
import { loadAgentConfig, type Env } from './config.ts';
import { runDaemon } from './daemon.ts';
import { printRunOutcome, runScriptCommand } from './run-command.ts';
import { AGENT_VERSION } from './version.ts';

export interface AgentCliIo {
  env: Env;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo = (): AgentCliIo => ({
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});

function failure(error: unknown): { exitCode: ExitCode; code: string; message: string } {
  if (error instanceof UsageError) return { exitCode: EXIT.INVALID, code: 'USAGE', message: error.message };
  if (isSpkError(error)) return { exitCode: error.code === 'INVALID_INPUT' ? EXIT.INVALID : EXIT.FAILURE, code: error.code, message: error.message };
  return { exitCode: EXIT.FAILURE, code: 'INTERNAL', message: `unexpected error: ${error instanceof Error ? error.message : String(error)}` };
}

export async function runAgentCli(argv: readonly string[], io: AgentCliIo = processIo()): Promise<number> {
  const json = argv[0] === 'run' && argv.includes('--json');
  try {
    const command = parseAgentArgs(argv);
    switch (command.kind) {
      case 'help':
        io.stdout(USAGE);
        return EXIT.OK;
      case 'version':
        io.stdout(`${AGENT_VERSION}\n`);
        return EXIT.OK;
      case 'daemon':
        return await runDaemon(loadAgentConfig(command.flags, io.env, io.cwd), io.stdout);
      case 'run': {
        const outcome = await runScriptCommand(command, io);
        printRunOutcome(outcome, command.json, io);
        if (!outcome.failure) return EXIT.OK;
        const { code, message } = outcome.failure;
        io.stderr(json ? `${JSON.stringify({ error: { code, message } })}\n` : `spk-agent: ${message} [${code}]\n`);
        return EXIT.FAILURE;
      }
    }
  } catch (error) {
    const { exitCode, code, message } = failure(error);
    io.stderr(json ? `${JSON.stringify({ error: { code, message } })}\n` : `spk-agent: ${message}\n`);
    if (error instanceof UsageError) io.stderr(`\n${USAGE}`);
    return exitCode;
  }
}
