import { describe, expect, it } from 'vitest';
import { afterFailure, mayAttempt, type FailureRecord } from './retry-policy.ts';

const POLICY = { initialMs: 1_000, maxMs: 30_000 };
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

/** Fails `times` times in a row towards `hash` with `errorKey`, each failure at the time its retry was due. */
function failRepeatedly(times: number, hash = A, errorKey = 'BLOB_MISSING', start: FailureRecord | null = null) {
  let record = start;
  const decisions = [];
  for (let i = 0; i < times; i++) {
    const decision = afterFailure(record, { lockfileHash: hash, errorKey, now: record?.retryAt ?? 0 }, POLICY);
    decisions.push(decision);
    record = decision.record;
  }
  return { decisions, record: record! };
}

describe('afterFailure', () => {
  it('doubles the wait from the first retry up to the poll interval, then stays there', () => {
    const { decisions } = failRepeatedly(8);
    expect(decisions.map((d) => d.retryInMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('logs the first failure and not its repeats', () => {
    const { decisions } = failRepeatedly(5);
    expect(decisions.map((d) => d.log)).toEqual([true, false, false, false, false]);
  });

  it('logs again when the error changes, without resetting the backoff', () => {
    const { record } = failRepeatedly(3);
    const changed = afterFailure(record, { lockfileHash: A, errorKey: 'INTEGRITY_MISMATCH', now: record.retryAt }, POLICY);
    expect(changed).toMatchObject({ log: true, retryInMs: 8_000, record: { failures: 4, errorKey: 'INTEGRITY_MISMATCH' } });
  });

  it('starts over, and logs, for a new desired hash even with the same error', () => {
    const { record } = failRepeatedly(4);
    const next = afterFailure(record, { lockfileHash: B, errorKey: record.errorKey, now: record.retryAt }, POLICY);
    expect(next).toMatchObject({ log: true, retryInMs: 1_000, record: { lockfileHash: B, failures: 1, retryAt: record.retryAt + 1_000 } });
  });

  it('never overflows after a very long outage', () => {
    const { decisions } = failRepeatedly(2_000);
    expect(decisions.at(-1)?.retryInMs).toBe(30_000);
  });
});

describe('mayAttempt', () => {
  const { record } = failRepeatedly(2); // failed at 1000, retry due at 3000
  it('holds poll ticks back until the backoff has passed', () => {
    expect(record.retryAt).toBe(3_000);
    expect(mayAttempt(record, { lockfileHash: A, now: 2_999, reason: 'poll' })).toBe(false);
    expect(mayAttempt(record, { lockfileHash: A, now: 3_000, reason: 'poll' })).toBe(true);
  });

  it('lets the backoff timer through even when the clock says a millisecond early, so no retry is lost', () => {
    expect(mayAttempt(record, { lockfileHash: A, now: 2_999, reason: 'retry' })).toBe(true);
  });

  it('tries at once on a new desired hash, a committed install (hook) or a start', () => {
    expect(mayAttempt(record, { lockfileHash: B, now: 0, reason: 'poll' })).toBe(true);
    expect(mayAttempt(record, { lockfileHash: A, now: 0, reason: 'hook' })).toBe(true);
    expect(mayAttempt(record, { lockfileHash: A, now: 0, reason: 'start' })).toBe(true);
  });

  it('always tries when nothing has failed', () => {
    expect(mayAttempt(null, { lockfileHash: A, now: 0, reason: 'poll' })).toBe(true);
  });
});
