// From the editor's form to a runs.execute input: the timeout is typed in seconds and checked here,
// so a bad value is explained next to its field instead of coming back as a server refusal.
import { MAX_RUN_TIMEOUT_MS, type RunScriptInput } from '@spk/common';
import type { ScriptFilename } from './script-storage.ts';

export type RunRequest = { ok: true; input: RunScriptInput } | { ok: false; message: string };

const MAX_SECONDS = MAX_RUN_TIMEOUT_MS / 1000;

/** The timeout in milliseconds, or a message saying what is wrong with `text` and what to type. */
export function timeoutMsFrom(text: string): number | string {
  const trimmed = text.trim();
  const seconds = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(seconds)) return `the timeout must be a number of seconds, from 1 to ${MAX_SECONDS}`;
  if (seconds <= 0 || seconds > MAX_SECONDS) return `the timeout must be between 1 and ${MAX_SECONDS} seconds (got ${trimmed})`;
  return Math.max(1, Math.round(seconds * 1000));
}

export function runRequestFrom(source: string, filename: ScriptFilename, timeoutSeconds: string): RunRequest {
  const timeoutMs = timeoutMsFrom(timeoutSeconds);
  if (typeof timeoutMs === 'string') return { ok: false, message: timeoutMs };
  if (source.trim() === '') return { ok: false, message: 'the script is empty: write a module whose default export is the result' };
  return { ok: true, input: { filename, source, timeoutMs } };
}

/** Ctrl+Enter, or Cmd+Enter on macOS: the editor's "run" shortcut. */
export function isRunShortcut(event: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean {
  return event.key === 'Enter' && (event.ctrlKey || event.metaKey);
}
