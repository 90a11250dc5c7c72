import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLatestQuery } from './latest-query.ts';

/** A query whose answers the test releases by hand, in any order. */
function controllable() {
  const calls: { text: string; signal: AbortSignal; resolve(v: string): void; reject(e: unknown): void }[] = [];
  const run = (text: string, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      calls.push({ text, signal, resolve, reject });
    });
  return { calls, run };
}

describe('createLatestQuery', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits for typing to pause and sends only the last text', async () => {
    const { calls, run } = controllable();
    const onResult = vi.fn();
    const query = createLatestQuery(run, 200, { onResult, onError: vi.fn() });
    query.update('r');
    await vi.advanceTimersByTimeAsync(150);
    query.update('re');
    await vi.advanceTimersByTimeAsync(150);
    query.update('rea');
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.map((c) => c.text)).toEqual(['rea']);
    calls[0]?.resolve('answer for rea');
    await vi.advanceTimersByTimeAsync(0);
    expect(onResult).toHaveBeenCalledWith('rea', 'answer for rea');
  });

  it('aborts the query in flight and never delivers its late answer', async () => {
    const { calls, run } = controllable();
    const onResult = vi.fn();
    const onError = vi.fn();
    const query = createLatestQuery(run, 200, { onResult, onError });
    query.update('re');
    await vi.advanceTimersByTimeAsync(200);
    query.update('react');
    expect(calls[0]?.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(200);
    calls[1]?.resolve('answer for react');
    calls[0]?.resolve('late answer for re');
    await vi.advanceTimersByTimeAsync(0);
    expect(onResult.mock.calls).toEqual([['react', 'answer for react']]);
    expect(onError).not.toHaveBeenCalled();
  });

  it('delivers the latest failure, and nothing after cancel or a blank text', async () => {
    const { calls, run } = controllable();
    const onResult = vi.fn();
    const onError = vi.fn();
    const query = createLatestQuery(run, 200, { onResult, onError });
    query.update('x');
    await vi.advanceTimersByTimeAsync(200);
    calls[0]?.reject(new Error('registry down'));
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith('x', new Error('registry down'));

    query.update('y');
    await vi.advanceTimersByTimeAsync(200);
    query.cancel();
    calls[1]?.resolve('too late');
    query.update('   ');
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(2);
    expect(onResult).not.toHaveBeenCalled();
  });
});
