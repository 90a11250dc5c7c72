// Script runs on a host: pin the current tree, write the script into its run dir, run it in a
// confined child process, and remove the run dir (releasing the pin) however it ended.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runScriptInputSchema, SpkError, type RunResult } from '@spk/common';
import { dataLayout } from './data-layout.ts';
import { pinCurrentTree, releaseRunPin } from './run-pins.ts';
import { runScriptProcess } from './script-process.ts';

export interface RunScriptOptions {
  dataDir: string;
  /** The tree the caller expects this host to run; anything else fails fast with NOT_CONVERGED. */
  expectedHash: string;
  filename: string;
  source: string;
  timeoutMs?: number;
  /** The child's whole environment besides PATH; the host's own is never passed on. */
  env?: Record<string, string>;
  /** Cap per output stream (default 1 MiB). */
  maxOutputBytes?: number;
}

export async function runScript(options: RunScriptOptions): Promise<RunResult> {
  const input = runScriptInputSchema.safeParse({ filename: options.filename, source: options.source, timeoutMs: options.timeoutMs });
  if (!input.success) throw new SpkError('INVALID_INPUT', `invalid script run: ${input.error.message}`);
  const { filename, source, timeoutMs } = input.data;

  const pin = await pinCurrentTree(dataLayout(options.dataDir), options.expectedHash);
  try {
    const scriptPath = path.join(pin.runDir, filename);
    await writeFile(scriptPath, source, { flag: 'wx' });
    const outcome = await runScriptProcess({
      runDir: pin.runDir,
      scriptPath,
      timeoutMs,
      preserveSymlinks: pin.treeLayout === 'linked-packages',
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
    });
    return { runId: pin.runId, lockfileHash: pin.lockfileHash, ...outcome };
  } finally {
    await releaseRunPin(pin);
  }
}
