// How a script run's outcome is printed, the same by `spk run` (a core instance) and
// `spk-agent run` (a satellite): what the script printed, then its result labelled.
import type { RunResult } from './runs.ts';

/** "result: <JSON>", indented as JSON so a large object stays readable; the label tells it from the script's own output. */
export function formatRunResult(value: unknown): string {
  return `result: ${JSON.stringify(value, null, 2)}\n`;
}

const line = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

/** What to write to stdout and stderr for a finished run (empty strings when nothing). */
export function renderRunOutput(result: RunResult): { stdout: string; stderr: string } {
  const stdout = (result.stdout ? line(result.stdout) : '') + (result.ok && result.hasResult ? formatRunResult(result.result) : '');
  return { stdout, stderr: result.stderr ? line(result.stderr) : '' };
}

/** The failure line of a run that did not succeed, or null when it did. */
export function runFailure(result: RunResult): { code: string; message: string } | null {
  if (result.ok) return null;
  const error = result.error ?? { code: 'RUN_FAILED', message: 'the script failed without an error message' };
  return { code: error.code, message: `script failed after ${Math.round(result.durationMs)} ms: ${error.message}` };
}
