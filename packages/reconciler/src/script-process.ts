// Runs one script in a child Node process confined to its run dir's pinned tree, and collects
// what came back: the default export's value (over IPC), stdout, stderr, and how it ended.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StateError } from '@spk/common';

const RUNNER = fileURLToPath(new URL('./run-child.mjs', import.meta.url));
const CONFINEMENT = new URL('./run-confinement.mjs', import.meta.url).href;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

export interface ScriptProcessOptions {
  runDir: string;
  scriptPath: string;
  timeoutMs: number;
  /** Keep symlinked paths as module paths (needed for `linked-packages` trees). */
  preserveSymlinks?: boolean;
  env?: Record<string, string>;
  maxOutputBytes?: number;
}

export interface ScriptOutcome {
  ok: boolean;
  result: unknown;
  stdout: string;
  stderr: string;
  durationMs: number;
  error: StateError | null;
}

type ChildMessage = { ok: true; json: string } | { ok: false; message: string };

function capture(stream: NodeJS.ReadableStream, maxBytes: number): () => string {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  stream.on('data', (chunk: Buffer) => {
    const room = maxBytes - bytes;
    if (chunk.length > room) truncated = true;
    if (room <= 0) return;
    const kept = chunk.subarray(0, room);
    chunks.push(kept);
    bytes += kept.length;
  });
  return () => Buffer.concat(chunks).toString('utf8') + (truncated ? `\n[output truncated at ${maxBytes} bytes]` : '');
}

/** Kills the child's whole process group, so processes the script spawned go too. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export async function runScriptProcess(options: ScriptProcessOptions): Promise<ScriptOutcome> {
  const started = performance.now();
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const flags = options.preserveSymlinks ? ['--preserve-symlinks'] : [];
  const child = spawn(process.execPath, [...flags, '--import', CONFINEMENT, RUNNER, options.scriptPath], {
    cwd: options.runDir,
    // Never hand the host's environment (database URLs, tokens) to a script.
    env: {
      PATH: process.env.PATH ?? '',
      ...options.env,
      // The run dir, and the pinned tree its node_modules link resolves to.
      SPK_RUN_CONFINE: JSON.stringify({ roots: [options.runDir, path.join(options.runDir, 'node_modules')] }),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  const stdout = capture(child.stdout!, maxOutputBytes);
  const stderr = capture(child.stderr!, maxOutputBytes);
  let message: ChildMessage | null = null;
  child.on('message', (received: ChildMessage) => (message ??= received));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, options.timeoutMs);

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => killGroup(child.pid));
    child.once('close', (code, signal) => resolve({ code, signal }));
  }).finally(() => clearTimeout(timer));

  const base = { stdout: stdout(), stderr: stderr(), durationMs: performance.now() - started };
  const received = message as ChildMessage | null;
  if (timedOut) {
    return { ...base, ok: false, result: null, error: { code: 'RUN_TIMEOUT', message: `the script did not finish within ${options.timeoutMs} ms and was killed` } };
  }
  if (received?.ok) return { ...base, ok: true, result: JSON.parse(received.json), error: null };
  if (received) return { ...base, ok: false, result: null, error: { code: 'RUN_FAILED', message: received.message } };
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return { ...base, ok: false, result: null, error: { code: 'RUN_FAILED', message: `the script ${how} before its default export settled` } };
}
