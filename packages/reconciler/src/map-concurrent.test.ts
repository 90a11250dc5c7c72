import { describe, expect, it } from 'vitest';
import { limitConcurrency, mapConcurrent } from './map-concurrent.ts';

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

describe('limitConcurrency', () => {
  it('runs at most `limit` calls at once and starts the waiting ones in arrival order', async () => {
    const gate = limitConcurrency(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const calls = [0, 1, 2, 3, 4].map((i) =>
      gate(async () => {
        started.push(i);
        peak = Math.max(peak, ++active);
        await new Promise<void>((resolve) => releases.push(resolve));
        active--;
        return i;
      }),
    );
    for (let done = 0; done < 5; done++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      releases.shift()!();
    }
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('lets the next call in when one fails', async () => {
    const gate = limitConcurrency(1);
    await expect(gate(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate(async () => 'after')).toBe('after');
  });
});
