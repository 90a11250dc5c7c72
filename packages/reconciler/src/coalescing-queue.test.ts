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
    await Promise.resolve();
    const next = queue.request('good');
    first.open();
    await expect(failing).rejects.toThrow('bad input');
    expect(await next).toBe('good');
  });
});

describe('coalescing queue rounds', () => {
  it('lets requests made before a job began join it, merging their inputs', async () => {
    const runs: string[][] = [];
    const queue = createCoalescingQueue(async (reasons: string[]) => runs.push(reasons), { merge: (queued, next) => [...queued, ...next] });
    const joined = [queue.request(['hook']), queue.request(['poll']), queue.request(['retry'])];
    expect(await Promise.all(joined)).toEqual([1, 1, 1]);
    expect(runs).toEqual([['hook', 'poll', 'retry']]);
  });

  it('gives every caller of a failed follow-up its error, and runs the next request afterwards', async () => {
    const first = gate();
    let calls = 0;
    const queue = createCoalescingQueue(async (input: string) => {
      calls++;
      if (calls === 1) await first.opened;
      if (input === 'bad') throw new Error(`round ${calls} failed`);
      return `${input} in round ${calls}`;
    });
    const running = queue.request('good');
    await Promise.resolve();
    const joined = [queue.request('x'), queue.request('y'), queue.request('bad')].map((p) => p.then(String, (error: Error) => error.message));
    first.open();
    expect(await running).toBe('good in round 1');
    expect(await Promise.all(joined)).toEqual(['round 2 failed', 'round 2 failed', 'round 2 failed']);
    expect(await queue.request('after')).toBe('after in round 3');
  });

  it('idle() waits for the follow-up too, and for one requested from inside a job', async () => {
    const first = gate();
    const runs: number[] = [];
    const queue = createCoalescingQueue(async (n: number) => {
      runs.push(n);
      if (n === 1) await first.opened;
      // A job may ask for one more (a hook that came in while it failed): that one is waited for as well.
      if (n === 2) void queue.request(3);
    });
    void queue.request(1);
    await Promise.resolve();
    void queue.request(2);
    let idle = false;
    const waiting = queue.idle().then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(idle).toBe(false);
    first.open();
    await waiting;
    expect(runs).toEqual([1, 2, 3]);
  });
});
