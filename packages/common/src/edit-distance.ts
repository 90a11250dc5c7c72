// How far apart two words are, for "did you mean" suggestions (package names at declare time,
// commands and options in the CLI). Pure and dependency-free, so every layer can use it.

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps each cost 1. */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidates close enough to `input` to be a typo of it (at most a third of the longer word's
 * letters differ, at least one), keeping only the nearest ones, up to `limit`. A difference in
 * letter case alone is the nearest of all.
 */
export function closeMatches(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const word = input.toLowerCase();
  const scored: Array<{ candidate: string; distance: number }> = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === input) continue;
    const lower = candidate.toLowerCase();
    const distance = lower === word ? 0 : editDistance(word, lower);
    if (distance <= Math.max(1, Math.floor(Math.max(word.length, lower.length) / 3))) scored.push({ candidate, distance });
  }
  const nearest = Math.min(...scored.map((s) => s.distance));
  return scored
    .filter((s) => s.distance === nearest)
    .map((s) => s.candidate)
    .sort()
    .slice(0, limit);
}
