import { describe, expect, it } from 'vitest';
import { mapConcurrent } from './map-concurrent.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('mapConcurrent', () => {
  it('keeps at most `limit` calls in flight and returns results in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapConcurrent([5, 4, 3, 2, 1, 0, 9, 8], 3, async (n) => {
      peak = Math.max(peak, ++inFlight);
      await tick();
      inFlight--;
      return n * 2;
    });
    expect(results).toEqual([10, 8, 6, 4, 2, 0, 18, 16]);
    expect(peak).toBe(3);
  });

  it('starts nothing new after a failure and throws the first error once in-flight work settled', async () => {
    const started: number[] = [];
    let settled = 0;
    const run = mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      settled++;
      if (n === 1) throw new Error('boom');
    });
    await expect(run).rejects.toThrow('boom');
    expect(started).toEqual([0, 1, 2]);
    expect(settled).toBe(started.length);
  });
});
