// "Did you mean": the closest known word to a mistyped command, sub-command or option, by edit
// distance with adjacent swaps counted once ("stauts" -> "status"). Pure, so the thresholds are
// unit-tested rather than guessed at. The distance itself is common's, shared with the
// backend's package-name suggestions.
import { editDistance } from '@spk/common';

/**
 * The candidate closest to `input`, if it is close enough to be a typo: at most a third of the
 * longer word's letters differ (at least one), or the input is an unambiguous prefix.
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  const word = input.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  const prefixed: string[] = [];
  for (const candidate of new Set(candidates)) {
    if (word.length >= 2 && candidate.startsWith(word)) prefixed.push(candidate);
    const distance = editDistance(word, candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  if (best) return best.candidate;
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** `; did you mean "install"?`, or nothing when no candidate is close. */
export function didYouMean(input: string, candidates: Iterable<string>, quote: (word: string) => string = (w) => `"${w}"`): string {
  const match = closestMatch(input, candidates);
  return match === undefined ? '' : `; did you mean ${quote(match)}?`;
}
