import { describe, expect, it } from 'vitest';
import { createChangeSignal, createStreamSet, watchChanges } from './changes-stream.ts';

/** A value source whose reads are counted; `set` changes what the next read answers. */
function source<T>(initial: T) {
  let value = initial;
  let reads = 0;
  return {
    read: async () => {
      reads += 1;
      return value;
    },
    set: (next: T) => {
      value = next;
    },
    reads: () => reads,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchChanges', () => {
  it('yields the value at once, then only values that differ from the last one sent', async () => {
    const s = source({ n: 1 });
    const abort = new AbortController();
    const stream = watchChanges(s.read, { intervalMs: () => 5, signal: abort.signal });
    expect((await stream.next()).value).toEqual({ n: 1 });
    const second = stream.next();
    await sleep(40);
    // Several re-reads of the same value sent nothing.
    expect(s.reads()).toBeGreaterThan(3);
    s.set({ n: 2 });
    expect((await second).value).toEqual({ n: 2 });
    abort.abort();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('waits the interval the last value asks for', async () => {
    const s = source({ busy: true });
    const abort = new AbortController();
    const stream = watchChanges(s.read, { intervalMs: (v) => (v.busy ? 5 : 10_000), signal: abort.signal });
    await stream.next();
    const next = stream.next();
    await sleep(50);
    const busyReads = s.reads();
    expect(busyReads).toBeGreaterThan(3);
    s.set({ busy: false });
    await next;
    await sleep(80);
    // Once idle, the next re-read is 10 s away.
    expect(s.reads()).toBe(busyReads + 1);
    abort.abort();
    await stream.return();
  });

  it('re-reads at once when woken, without waiting the interval', async () => {
    const s = source('a');
    const signal = createChangeSignal();
    const abort = new AbortController();
    const stream = watchChanges(s.read, { intervalMs: () => 60_000, signal: abort.signal, wakeOn: (wake) => signal.on(wake) });
    await stream.next();
    const next = stream.next();
    s.set('b');
    const started = Date.now();
    signal.notify();
    expect((await next).value).toBe('b');
    expect(Date.now() - started).toBeLessThan(1_000);
    abort.abort();
    await stream.next();
    expect(signal.listeners()).toBe(0);
  });

  it('ends quietly on abort while waiting, releasing its listener and timer', async () => {
    const s = source(1);
    const signal = createChangeSignal();
    const abort = new AbortController();
    const stream = watchChanges(s.read, { intervalMs: () => 60_000, signal: abort.signal, wakeOn: (wake) => signal.on(wake) });
    await stream.next();
    const pending = stream.next();
    await sleep(10);
    abort.abort();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(signal.listeners()).toBe(0);
    expect(s.reads()).toBe(1);
  });

  it('releases its listener when the consumer stops reading', async () => {
    const signal = createChangeSignal();
    const stream = watchChanges(source(1).read, { intervalMs: () => 60_000, wakeOn: (wake) => signal.on(wake) });
    await stream.next();
    expect(signal.listeners()).toBe(1);
    await stream.return();
    expect(signal.listeners()).toBe(0);
  });
});

describe('createStreamSet', () => {
  it('counts open streams and ends them all on closeAll', async () => {
    const streams = createStreamSet();
    const a = streams.watch(source(1).read, { intervalMs: () => 60_000 });
    const b = streams.watch(source(2).read, { intervalMs: () => 60_000 });
    await a.next();
    await b.next();
    expect(streams.openStreams()).toBe(2);
    const pending = [a.next(), b.next()];
    streams.closeAll();
    await expect(Promise.all(pending)).resolves.toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
    expect(streams.openStreams()).toBe(0);
  });

  it('opens nothing for a caller that is already gone', async () => {
    const streams = createStreamSet();
    const abort = new AbortController();
    abort.abort();
    expect(await streams.watch(source(1).read, { intervalMs: () => 5, signal: abort.signal }).next()).toEqual({ done: true, value: undefined });
    expect(streams.openStreams()).toBe(0);
  });
});
