// Runs one script in a child Node process under the permission model, and collects what came
// back: the nonce-framed result from fd 3, stdout and stderr (each capped), and how it ended.
// Every limit that cuts a run is reported with its own code and the setting that raises it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RUN_SETTING_ENV, type StateError } from '@spk/common';
import { guardInspectorSignal } from './inspector-signal-guard.ts';
import { nodeRunFlags } from './node-run-flags.ts';
import { captureOutput } from './output-capture.ts';
import { newNonce, readResultChannel, type ChannelOutcome } from './result-channel.ts';
import { RUN_MARKER_ENV } from './run-process-tree.ts';
import { superviseProcess } from './supervised-process.ts';

const RUNNER = fileURLToPath(new URL('./run-child.mjs', import.meta.url));
const CONFINEMENT = fileURLToPath(new URL('./run-confinement.mjs', import.meta.url));

export interface ScriptProcessOptions {
  runId: string;
  runDir: string;
  /** The only directory the script may write; also its TMPDIR. */
  tmpDir: string;
  scriptPath: string;
  /** Besides the run dir and the runner's own files. */
  readPaths: readonly string[];
  timeoutMs: number;
  /** The caller's ceiling for timeoutMs, named in the timeout message. */
  maxTimeoutMs: number;
  /** Keep symlinked paths as module paths (needed for `linked-packages` trees). */
  preserveSymlinks: boolean;
  env?: Record<string, string>;
  maxResultBytes: number;
  maxOutputBytes: number;
  maxHeapMb: number;
  allowChildProcess: boolean;
  allowWorker: boolean;
  /** Start the child as this user (the server must be root). */
  runAs?: { uid: number; gid: number };
  /** Called once the child exists, before it can run any script code. */
  onSpawn?: (pid: number) => Promise<void>;
}

export interface ScriptOutcome {
  ok: boolean;
  /** Whether the script exported a value; `result` is null when it did not. */
  hasResult: boolean;
  result: unknown;
  stdout: string;
  stderr: string;
  durationMs: number;
  error: StateError | null;
}

function childEnv(options: ScriptProcessOptions): Record<string, string> {
  const given = { ...options.env };
  // Flags in NODE_OPTIONS would widen the permission model.
  delete given.NODE_OPTIONS;
  return {
    PATH: process.env.PATH ?? '',
    ...given,
    TMPDIR: options.tmpDir,
    [RUN_MARKER_ENV]: options.runId,
    // The run dir, and the pinned tree its node_modules link resolves to.
    SPK_RUN_CONFINE: JSON.stringify({ roots: [options.runDir, `${options.runDir}/node_modules`] }),
  };
}

const looksOutOfMemory = (tail: string) => /JavaScript heap out of memory|Reached heap limit/.test(tail);

function classify(
  options: ScriptProcessOptions,
  state: { timedOut: boolean; channel: ChannelOutcome; exit: { code: number | null; signal: NodeJS.Signals | null }; stderrTail: string },
): Pick<ScriptOutcome, 'ok' | 'hasResult' | 'result' | 'error'> {
  const fail = (code: StateError['code'], message: string) => ({ ok: false, hasResult: false, result: null, error: { code, message } });
  const tooLarge = (what: string) =>
    fail('RUN_RESULT_TOO_LARGE', `the script's result is ${what}, more than the ${options.maxResultBytes}-byte limit; return less data, or raise ${RUN_SETTING_ENV.maxResultBytes}`);
  if (state.timedOut) {
    return fail('RUN_TIMEOUT', `the script did not finish within ${options.timeoutMs} ms and was killed; pass a longer timeoutMs (at most ${options.maxTimeoutMs} ms, set by ${RUN_SETTING_ENV.maxTimeoutMs})`);
  }
  const { channel } = state;
  if (channel.status === 'overflow') return tooLarge(`at least ${channel.bytes} bytes`);
  if (channel.status === 'forged') {
    return fail('RUN_FAILED', `the run's result channel (file descriptor 3) carried data that did not come from the runner (${channel.reason}); the script or one of its packages wrote to it, so no result is reported`);
  }
  if (channel.status === 'frame') {
    const { frame } = channel;
    if (frame.kind === 'ok') return { ok: true, hasResult: true, result: JSON.parse(frame.json), error: null };
    if (frame.kind === 'none') return { ok: true, hasResult: false, result: null, error: null };
    if (frame.kind === 'too-large') return tooLarge(`${frame.bytes} bytes as JSON`);
    return fail('RUN_FAILED', frame.message);
  }
  if (looksOutOfMemory(state.stderrTail)) {
    return fail('RUN_OUT_OF_MEMORY', `the script ran out of memory: it needed more than its ${options.maxHeapMb} MiB heap and was stopped; use less memory, or raise ${RUN_SETTING_ENV.maxHeapMb}`);
  }
  const how = state.exit.signal ? `was killed by ${state.exit.signal}` : `exited with code ${state.exit.code}`;
  return fail('RUN_FAILED', `the script ${how} before its default export settled`);
}

export async function runScriptProcess(options: ScriptProcessOptions): Promise<ScriptOutcome> {
  guardInspectorSignal();
  const started = performance.now();
  const flags = nodeRunFlags({
    knownFlags: process.allowedNodeEnvironmentFlags,
    readPaths: [RUNNER, CONFINEMENT, options.runDir, ...options.readPaths],
    writePaths: [options.tmpDir],
    allowChildProcess: options.allowChildProcess,
    allowWorker: options.allowWorker,
    maxHeapMb: options.maxHeapMb,
    preserveSymlinks: options.preserveSymlinks,
    preload: CONFINEMENT,
  });
  const child = spawn(process.execPath, [...flags, RUNNER, options.scriptPath, String(options.maxResultBytes)], {
    cwd: options.runDir,
    env: childEnv(options),
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    // Its own process group (and session), so one kill reaches whatever it started.
    detached: true,
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
  });
  const proc = await superviseProcess(child, { runId: options.runId, poll: options.allowChildProcess, timeoutMs: options.timeoutMs });
  // A child that dies before reading its nonce makes the write fail with EPIPE; its exit says why.
  child.stdin!.on('error', () => undefined);

  const stdout = captureOutput(child.stdout!, 'stdout', options.maxOutputBytes);
  const stderr = captureOutput(child.stderr!, 'stderr', options.maxOutputBytes);
  const nonce = newNonce();
  const channel = readResultChannel(child.stdio[3] as NodeJS.ReadableStream, nonce, options.maxResultBytes, () => void proc.killAll());

  try {
    await options.onSpawn?.(proc.pid);
  } catch (error) {
    await proc.killAll();
    await proc.ended;
    throw error;
  }
  // The runner waits for this line before it imports the script.
  child.stdin!.end(`${nonce}\n`);

  const ended = await proc.ended;
  await proc.killAll();
  const err = stderr();
  const verdict = classify(options, { timedOut: proc.timedOut(), channel: channel(), exit: ended, stderrTail: err.tail });
  return { ...verdict, stdout: stdout().text, stderr: err.text, durationMs: performance.now() - started };
}
