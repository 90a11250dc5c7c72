// When a host tries a failed reconcile again, and whether it logs the failure: a pure function of
// what failed before, so the core host's timers only carry it out. Retries back off exponentially
// up to the poll interval; a new desired hash or a success starts over.

export interface RetryPolicy {
  /** Wait before the first retry. */
  initialMs: number;
  /** Longest wait between retries (the poll interval: the poll would catch a missed hook by then anyway). */
  maxMs: number;
}

export const DEFAULT_FIRST_RETRY_MS = 1_000;

/** The last failed reconcile towards one desired hash. */
export interface FailureRecord {
  lockfileHash: string;
  /** Identifies the error (its code): a change of error is logged, a repeat is not. */
  errorKey: string;
  /** Failures in a row towards this hash. */
  failures: number;
  /** Epoch ms before which a poll tick does not try again. */
  retryAt: number;
}

export interface FailureDecision {
  record: FailureRecord;
  /** Whether this failure is news: the first towards this hash, or a different error than the last. */
  log: boolean;
  retryInMs: number;
}

export function afterFailure(
  previous: FailureRecord | null,
  failure: { lockfileHash: string; errorKey: string; now: number },
  policy: RetryPolicy,
): FailureDecision {
  const sameHash = previous?.lockfileHash === failure.lockfileHash;
  const failures = sameHash ? previous.failures + 1 : 1;
  const retryInMs = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures - 1, 30));
  return {
    record: { lockfileHash: failure.lockfileHash, errorKey: failure.errorKey, failures, retryAt: failure.now + retryInMs },
    log: !sameHash || previous.errorKey !== failure.errorKey,
    retryInMs,
  };
}

/**
 * What prompted an attempt: `poll` is the periodic check, held back until the backoff has passed;
 * `retry` is the backoff timer itself (set for the last failure, so it is due by definition, even
 * if the wall clock disagrees by a millisecond); `start` and `hook` (an install committed, which
 * may have put missing blobs back) try at once.
 */
export type AttemptReason = 'start' | 'hook' | 'retry' | 'poll';

export function mayAttempt(record: FailureRecord | null, attempt: { lockfileHash: string; now: number; reason: AttemptReason }): boolean {
  if (record === null || record.lockfileHash !== attempt.lockfileHash) return true;
  if (attempt.reason !== 'poll') return true;
  return attempt.now >= record.retryAt;
}
