// One script run on a host: pin the current tree, write the script into its run dir, run it in
// a child process confined by Node's permission model, and remove the run dir (releasing the
// pin) however it ended.
import { chmod, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_RUN_LIMITS, RUN_SETTING_ENV, runScriptInputSchema, SpkError, type RunResult, type ScriptRunLimits } from '@spk/common';
import { dataLayout } from '../data-layout.ts';
import { pinCurrentTree, recordRunChild, releaseRunPin } from './run-pins.ts';
import { openTreeToRunUser } from './run-user-access.ts';
import { runScriptProcess } from './script-process.ts';

/** What a host lets scripts do beyond reading their tree and writing their temp dir. */
export interface ScriptRunAllowances {
  /** Let scripts start processes. They are not confined by the permission model: see docs. */
  allowChildProcess: boolean;
  allowWorker: boolean;
  /** More paths scripts may read (each a file or a whole directory). */
  allowFsRead: readonly string[];
  /** Start scripts as this user (the server must be root). */
  runAs?: { uid: number; gid: number };
}

export type ScriptRunSettings = ScriptRunLimits & ScriptRunAllowances;

export const DEFAULT_RUN_SETTINGS: ScriptRunSettings = { ...DEFAULT_RUN_LIMITS, allowChildProcess: false, allowWorker: false, allowFsRead: [] };

export interface RunScriptOptions {
  dataDir: string;
  /** The tree the caller expects this host to run; anything else fails fast with NOT_CONVERGED. */
  expectedHash: string;
  filename: string;
  source: string;
  timeoutMs?: number;
  /** The child's whole environment besides PATH; the host's own is never passed on. */
  env?: Record<string, string>;
  /** Limits and allowances; each one left out takes its default. */
  settings?: Partial<ScriptRunSettings>;
  /** Called with the run id once the run is pinned (the caller's log line carries it). */
  onPinned?: (runId: string) => void;
}

export async function runScript(options: RunScriptOptions): Promise<RunResult> {
  const settings: ScriptRunSettings = { ...DEFAULT_RUN_SETTINGS, ...stripUndefined(options.settings ?? {}) };
  const input = runScriptInputSchema.safeParse({ filename: options.filename, source: options.source, timeoutMs: options.timeoutMs });
  if (!input.success) throw new SpkError('INVALID_INPUT', `invalid script run: ${input.error.message}`);
  const { filename, source, timeoutMs } = input.data;
  if (timeoutMs > settings.maxTimeoutMs) {
    throw new SpkError('INVALID_INPUT', `a timeout of ${timeoutMs} ms is longer than this host allows (${settings.maxTimeoutMs} ms); ask for less, or raise ${RUN_SETTING_ENV.maxTimeoutMs}`, {
      limit: settings.maxTimeoutMs,
    });
  }

  const layout = dataLayout(options.dataDir);
  const pin = await pinCurrentTree(layout, options.expectedHash, { timeoutMs, ...(settings.runAs ? { runAs: settings.runAs } : {}) });
  options.onPinned?.(pin.runId);
  try {
    if (settings.runAs) await openTreeToRunUser(layout, pin.lockfileHash, pin.treeLayout === 'linked-packages');
    const scriptPath = path.join(pin.runDir, filename);
    await writeFile(scriptPath, source, { flag: 'wx' });
    await chmod(scriptPath, 0o644);
    // The real path of the pinned tree: module paths are resolved to it unless symlinks are preserved.
    const readPaths = [await realpath(path.join(pin.runDir, 'node_modules'))];
    // A `linked-packages` tree is made of symlinks into the extracted store.
    if (pin.treeLayout === 'linked-packages') readPaths.push(await realpath(layout.extractedDir));
    const outcome = await runScriptProcess({
      runId: pin.runId,
      runDir: pin.runDir,
      tmpDir: pin.tmpDir,
      scriptPath,
      readPaths: [...readPaths, ...settings.allowFsRead],
      timeoutMs,
      maxTimeoutMs: settings.maxTimeoutMs,
      preserveSymlinks: pin.treeLayout === 'linked-packages',
      maxResultBytes: settings.maxResultBytes,
      maxOutputBytes: settings.maxOutputBytes,
      maxHeapMb: settings.maxHeapMb,
      allowChildProcess: settings.allowChildProcess,
      allowWorker: settings.allowWorker,
      onSpawn: (pid) => recordRunChild(pin, pid),
      ...(settings.runAs ? { runAs: settings.runAs } : {}),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    return { runId: pin.runId, lockfileHash: pin.lockfileHash, ...outcome };
  } finally {
    await releaseRunPin(pin);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
