import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

const policy = { baseMs: 1_000, maxMs: 30_000 };

describe('reconnect backoff', () => {
  it('doubles per attempt, stays in the upper half of its step (jitter), and never passes the ceiling', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const step = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
      expect(backoffDelay(attempt, policy, () => 0)).toBe(step / 2);
      expect(backoffDelay(attempt, policy, () => 0.999999)).toBe(step);
      const middle = backoffDelay(attempt, policy, () => 0.5);
      expect(middle).toBeGreaterThanOrEqual(step / 2);
      expect(middle).toBeLessThanOrEqual(step);
    }
    expect(backoffDelay(1_000, policy, () => 1)).toBe(policy.maxMs);
  });

  it('spreads agents that retry together over a range instead of one instant', () => {
    const delays = new Set(Array.from({ length: 50 }, (_, i) => backoffDelay(4, policy, () => i / 50)));
    expect(delays.size).toBeGreaterThan(40);
  });
});
