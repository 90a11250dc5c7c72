// `spk run <file>`: send a local script to the server's runs.execute and relay what it printed,
// then its result (the default export) labelled, when it has one. The input is checked with the
// shared schema before anything is sent.
import path from 'node:path';
import { renderRunOutput, runFailure, runScriptInputSchema, SpkError, type RunScriptInput } from '@spk/common';
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

export async function runRunCommand(ctx: CommandContext, command: RunCommand): Promise<void> {
  const input = await readRunInput(ctx, command);
  // --wait-converged: the server that runs the script waits for its own tree, which holds behind a load balancer.
  const wait = command.waitConvergedMs === undefined ? {} : { waitForConvergenceMs: command.waitConvergedMs };
  const result = await ctx.client.runs.execute({ ...input, ...wait });
  if (ctx.json) {
    printJson(ctx.io, result);
  } else {
    const output = renderRunOutput(result);
    if (output.stdout) ctx.io.stdout(output.stdout);
    if (output.stderr) ctx.io.stderr(output.stderr);
  }
  const failure = runFailure(result);
  if (failure) throw new CommandFailedError(failure.code, failure.message);
}
