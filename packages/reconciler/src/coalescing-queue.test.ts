import { describe, expect, it } from 'vitest';
import { createCoalescingQueue } from './coalescing-queue.ts';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('coalescing queue', () => {
  it('folds N requests made during a run into exactly one more run, to the latest input', async () => {
    const runs: string[] = [];
    const first = gate();
    const queue = createCoalescingQueue(async (input: string) => {
      runs.push(input);
      if (input === 'v1') await first.opened;
      return `done ${input}`;
    });
    const a = queue.request('v1');
    await Promise.resolve();
    const waiting = ['v2', 'v3', 'v4', 'v5'].map((v) => queue.request(v));
    first.open();
    expect(await a).toBe('done v1');
    expect(await Promise.all(waiting)).toEqual(['done v5', 'done v5', 'done v5', 'done v5']);
    expect(runs).toEqual(['v1', 'v5']);
  });

  it('runs again for a request made after the previous run finished', async () => {
    const runs: number[] = [];
    const queue = createCoalescingQueue(async (n: number) => runs.push(n));
    await queue.request(1);
    await queue.request(2);
    expect(runs).toEqual([1, 2]);
  });

  it('rejects only the callers of the run that failed, and keeps going', async () => {
    const first = gate();
    const queue = createCoalescingQueue(async (input: string) => {
      if (input === 'bad') {
        await first.opened;
        throw new Error('bad input');
      }
      return input;
    });
    const failing = queue.request('bad');
    const next = queue.request('good');
    first.open();
    await expect(failing).rejects.toThrow('bad input');
    expect(await next).toBe('good');
  });
});
