// `spk-agent run <file>`: a script against this satellite's current tree, with the same runner,
// confinement, limits (SPK_RUN_* variables) and printed output as `spk run` on a core. It takes no
// lock: the runner pins the tree it starts on, so it works beside a running daemon, and a flip
// in the middle of the run does not disturb it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createScriptRunner, currentTreeHash, runSettingsFromEnv } from '@spk/reconciler';
import { isSpkError, renderRunOutput, runFailure, runScriptInputSchema, SpkError, type RunResult } from '@spk/common';
import { UsageError } from './args.ts';
import type { Env } from './config.ts';

export interface RunCommandInput {
  file: string;
  dataDir?: string;
  timeoutSeconds?: string;
  json: boolean;
}

export interface RunCommandIo {
  env: Env;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Outcome for the caller to print and exit with: the run's result, or a failure code and message. */
export type RunOutcome = { result: RunResult; failure: { code: string; message: string } | null };

async function readScript(file: string, timeoutSeconds: string | undefined) {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new SpkError('INVALID_INPUT', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const input: { filename: string; source: string; timeoutMs?: number } = { filename: path.basename(file), source };
  if (timeoutSeconds !== undefined) {
    const seconds = Number(timeoutSeconds);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout takes a number of seconds greater than 0, got "${timeoutSeconds}"`);
    input.timeoutMs = Math.round(seconds * 1000);
  }
  const checked = runScriptInputSchema.safeParse(input);
  if (!checked.success) {
    throw new SpkError('INVALID_INPUT', `cannot run ${file}: ${checked.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ')}`);
  }
  return checked.data;
}

export async function runScriptCommand(command: RunCommandInput, io: RunCommandIo): Promise<RunOutcome> {
  // The run dir it creates in the data dir is this user's alone, as everything the daemon writes.
  process.umask(0o077);
  const rawDir = command.dataDir ?? io.env.SPK_DATA_DIR;
  if (!rawDir || rawDir.trim() === '') throw new UsageError('spk-agent run needs the agent\'s data dir: pass --data-dir or set SPK_DATA_DIR, as for the daemon');
  const dataDir = path.resolve(io.cwd, rawDir.trim());
  const input = await readScript(path.resolve(io.cwd, command.file), command.timeoutSeconds);
  const { settings, runAsUser } = runSettingsFromEnv(io.env);
  const runner = createScriptRunner({ dataDir, settings, ...(runAsUser ? { runAsUser } : {}) });

  let result: RunResult | undefined;
  // The daemon may switch trees between reading `current` and pinning it: then pin the new one.
  for (let attempt = 0; result === undefined; attempt++) {
    const expectedHash = await currentTreeHash(dataDir);
    if (!expectedHash) {
      throw new SpkError('NOT_CONVERGED', `this satellite has no tree yet in ${dataDir}: start spk-agent with this data dir and let it converge first`);
    }
    try {
      result = await runner.run({ expectedHash, ...input });
    } catch (error) {
      if (!isSpkError(error, 'NOT_CONVERGED') || attempt >= 2) throw error;
    }
  }
  return { result, failure: runFailure(result) };
}

/** Prints like `spk run`: the JSON result, or the script's output then its result; the failure line last. */
export function printRunOutcome(outcome: RunOutcome, json: boolean, io: Pick<RunCommandIo, 'stdout' | 'stderr'>): void {
  if (json) io.stdout(`${JSON.stringify(outcome.result, null, 2)}\n`);
  else {
    const output = renderRunOutput(outcome.result);
    if (output.stdout) io.stdout(output.stdout);
    if (output.stderr) io.stderr(output.stderr);
  }
}
