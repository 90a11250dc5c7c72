// Runs one lifecycle script as npm does on POSIX (`sh -c <script>` in the package's directory),
// in its own process group with the run marker in its environment, so a timeout (or the end of
// the script) kills everything it started, exactly as script runs are ended (supervised-process.ts).
// Only the last lines of its output are kept, for the error that names what went wrong.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { guardInspectorSignal } from '../runs/inspector-signal-guard.ts';
import { captureOutput } from '../runs/output-capture.ts';
import { superviseProcess } from '../runs/supervised-process.ts';

/** How much of the end of a script's output an error quotes: with the rest of the message it stays under a satellite report's 2000 characters. */
export const OUTPUT_TAIL_BYTES = 1024;

export interface InstallScriptProcessInput {
  script: string;
  cwd: string;
  /** The whole environment (install-script-env.ts); it must carry RUN_MARKER_ENV=runId. */
  env: Record<string, string>;
  runId: string;
  timeoutMs: number;
  runAs?: { uid: number; gid: number };
}

export interface InstallScriptOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines of stdout and stderr together, at most OUTPUT_TAIL_BYTES. */
  outputTail: string;
}

/** The end of `text` within `maxBytes`, starting at a line boundary when it had to be cut. */
export function lastLines(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text.trimEnd();
  const cut = bytes.subarray(-maxBytes).toString('utf8');
  const newline = cut.indexOf('\n');
  return (newline >= 0 ? cut.slice(newline + 1) : cut).trimEnd();
}

export async function runInstallScriptProcess(input: InstallScriptProcessInput): Promise<InstallScriptOutcome> {
  // The script may signal the server (its parent), as a script run may.
  guardInspectorSignal();
  const started = performance.now();
  const child = spawn('/bin/sh', ['-c', input.script], {
    cwd: input.cwd,
    env: input.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group (and session), so one kill reaches whatever it started.
    detached: true,
    ...(input.runAs ? { uid: input.runAs.uid, gid: input.runAs.gid } : {}),
  });
  // Scripts start compilers, downloaders and node: their descendants are tracked from the start.
  const proc = await superviseProcess(child, { runId: input.runId, poll: true, timeoutMs: input.timeoutMs });

  // One stream for both, so the tail keeps the order in which lines were written.
  const both = new PassThrough();
  child.stdout!.pipe(both, { end: false });
  child.stderr!.pipe(both, { end: false });
  const output = captureOutput(both, 'stdout', 0);

  const ended = await proc.ended;
  await proc.killAll();
  both.end();
  return { ...ended, timedOut: proc.timedOut(), durationMs: performance.now() - started, outputTail: lastLines(output().tail, OUTPUT_TAIL_BYTES) };
}
