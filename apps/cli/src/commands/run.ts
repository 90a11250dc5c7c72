// `spk run <file>`: send a local script to the server's runs.execute and relay what it printed,
// then its result (the default export) labelled, when it has one. The input is checked with the
// shared schema before anything is sent.
import path from 'node:path';
import { runScriptInputSchema, SpkError, type RunScriptInput } from '@spk/common';
import type { Command } from '../args.ts';
import { CommandFailedError } from '../errors.ts';
import { printJson, type CommandContext } from './context.ts';

type RunCommand = Extract<Command, { kind: 'run' }>;

export async function readRunInput(ctx: CommandContext, command: RunCommand): Promise<RunScriptInput> {
  let source: string;
  try {
    source = await ctx.io.readTextFile(command.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SpkError('INVALID_INPUT', `cannot read ${command.file} (${code})`, { file: command.file });
  }
  const input: RunScriptInput = { filename: path.basename(command.file), source };
  if (command.timeoutMs !== undefined) input.timeoutMs = command.timeoutMs;
  const checked = runScriptInputSchema.safeParse(input);
  if (!checked.success) {
    throw new SpkError('INVALID_INPUT', `cannot run ${command.file}`, { issues: checked.error.issues });
  }
  return input;
}

/** "result: <JSON>", indented as JSON so a large object stays readable; the label tells it from the script's own output. */
export function formatRunResult(value: unknown): string {
  return `result: ${JSON.stringify(value, null, 2)}\n`;
}

export async function runRunCommand(ctx: CommandContext, command: RunCommand): Promise<void> {
  const input = await readRunInput(ctx, command);
  // --wait-converged: the server that runs the script waits for its own tree, which holds behind a load balancer.
  const wait = command.waitConvergedMs === undefined ? {} : { waitForConvergenceMs: command.waitConvergedMs };
  const result = await ctx.client.runs.execute({ ...input, ...wait });
  if (ctx.json) {
    printJson(ctx.io, result);
  } else {
    if (result.stdout) ctx.io.stdout(result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`);
    if (result.stderr) ctx.io.stderr(result.stderr.endsWith('\n') ? result.stderr : `${result.stderr}\n`);
    if (result.ok && result.hasResult) ctx.io.stdout(formatRunResult(result.result));
  }
  if (!result.ok) {
    const error = result.error ?? { code: 'RUN_FAILED', message: 'the script failed without an error message' };
    throw new CommandFailedError(error.code, `script failed after ${Math.round(result.durationMs)} ms: ${error.message}`);
  }
}
