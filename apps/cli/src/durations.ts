// Durations on the command line: wait limits read in seconds ("300", "90s", "5m", kubectl-style
// units accepted, a bare number is seconds), and how long things took printed back. Pure, so every
// accepted and refused form is a unit test.
import { UsageError } from './usage-error.ts';

const UNIT_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000 };

/** Milliseconds, or null when the text is not a positive whole number of seconds or minutes. */
export function parseSeconds(text: string): number | null {
  const match = /^(\d+)\s*([sm]?)$/i.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!;
  return Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}

/** The option's value in ms; a UsageError naming the flag and the forms it takes otherwise. */
export function secondsOption(value: string | undefined, flag: string, topic: string, maxMs = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseSeconds(value);
  if (ms === null) throw new UsageError(`${flag} takes a whole number of seconds (or 90s, 5m), got "${value}"`, topic);
  if (ms > maxMs) throw new UsageError(`${flag} is at most ${maxMs / 1000} seconds, got "${value}"`, topic);
  return ms;
}

/** "0.3 s", "12 s", "95.5 s": how long a wait or a run took, to a tenth of a second. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
