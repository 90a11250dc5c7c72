// How a run's outcome reads on screen: the result as pretty JSON (or that there was none), and
// the duration in a unit that fits it.
import type { RunResult } from '@spk/common';

export const NO_RESULT = 'no result';

/** `hasResult` tells "exported nothing" from "exported null": only the first reads as "no result". */
export function formatRunValue(run: Pick<RunResult, 'hasResult' | 'result'>): string {
  if (!run.hasResult) return NO_RESULT;
  return JSON.stringify(run.result, null, 2) ?? 'undefined';
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}
