// How long to wait before the next attempt after failures in a row: exponential up to a ceiling,
// with jitter so a fleet of agents cut off together does not reconnect in lockstep.

export interface BackoffPolicy {
  /** The first delay's ceiling. */
  baseMs: number;
  /** No delay is ever longer than this. */
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): a uniform pick in the upper half
 * of min(maxMs, baseMs * 2^attempt), so it grows like the exponential but is never near zero.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
