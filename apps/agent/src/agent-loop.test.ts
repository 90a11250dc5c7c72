import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostDisk } from '@spk/common';
import { createAgentLoop, type AgentLoopDeps, type AgentLoopOptions } from './agent-loop.ts';
import { createFakeCore, hash } from './test-support/fake-core.ts';

const HEARTBEAT_MS = 1_000;
const options: AgentLoopOptions = {
  hostId: undefined,
  agentVersion: '9.9.9',
  hostname: 'probe-host',
  heartbeatMs: HEARTBEAT_MS,
  syncRetry: { baseMs: 400, maxMs: 10_000 },
  watchRetry: { baseMs: 200, maxMs: 4_000 },
  refusedRetryMs: 20_000,
};

function setup(initial: string | null = hash('a'), random = () => 0.5, extra: Partial<AgentLoopDeps> = {}) {
  const fake = createFakeCore(initial);
  const loop = createAgentLoop({ ...fake.deps, random, now: () => new Date(), ...extra }, options);
  return { ...fake, loop };
}

describe('the agent loop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('converges at start, then reports the tree, when, what it pulled, its version and host name', async () => {
    const { core, loop } = setup();
    await loop.start();
    expect(core.reconciles).toEqual([hash('a')]);
    expect(core.reports.at(-1)).toMatchObject({
      lockfileHash: hash('a'),
      lastError: null,
      agentVersion: '9.9.9',
      hostname: 'probe-host',
      lastPull: { blobs: 2, bytes: 2048 },
      convergedAt: expect.any(String),
    });
    expect(core.logged('converged')[0]?.fields).toMatchObject({ lockfileHash: hash('a') });
    await loop.stop();
  });

  it('sends the disk usage of the latest tree GC pass with every report, the heartbeat ones included', async () => {
    let disk: HostDisk | null = null;
    const { core, loop } = setup(hash('a'), () => 0.5, { disk: () => disk });
    await loop.start();
    expect(core.reports.at(-1)).toMatchObject({ lockfileHash: hash('a'), disk: null });
    disk = { trees: 2, retiredTrees: 1, pinnedTrees: 0, bytes: 4096, measuredAt: new Date().toISOString(), lastCollection: null };
    const before = core.reports.length;
    await vi.advanceTimersByTimeAsync(core.pollIntervalMs + 10);
    expect(core.reports.length).toBeGreaterThan(before);
    expect(core.reports.at(-1)).toMatchObject({ lockfileHash: hash('a'), disk });
    await loop.stop();
  });

  it('keeps reporting what reaching the current tree pulled after later no-op reconciles (polls, heartbeats)', async () => {
    const { core, loop } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    core.streams[0]!.end();
    // Polls while the stream is down reconcile to the same tree, pulling nothing.
    core.silentStreams = true;
    await vi.advanceTimersByTimeAsync(core.pollIntervalMs * 2 + 10);
    expect(core.reconciles.filter((h) => h === hash('a')).length).toBeGreaterThan(1);
    expect(core.reports.at(-1)).toMatchObject({ lockfileHash: hash('a'), lastPull: { blobs: 2, bytes: 2048 } });
    await loop.stop();
  });

  it("judges a quiet stream by the heartbeat interval the core's events announce, not by its own setting", async () => {
    const { core, loop } = setup();
    core.heartbeatMs = 4 * HEARTBEAT_MS;
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(core.logged('watch connected')).toHaveLength(1);
    // Silent for 3 of the agent's own heartbeats: within 2.5 of the core's, so still alive.
    await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_MS);
    expect(core.streams[0]!.aborted).toBe(false);
    // Past 2.5 of the core's heartbeats: dead, aborted and reopened.
    await vi.advanceTimersByTimeAsync(8 * HEARTBEAT_MS);
    expect(core.streams[0]!.aborted).toBe(true);
    await loop.stop();
  });

  it('follows pushes: a newly committed hash is reconciled and reported at once, without waiting for a poll', async () => {
    const { core, loop } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(core.logged('watch connected')).toHaveLength(1);
    const desiredBefore = core.desiredCalls;
    core.commit(hash('b'));
    await vi.advanceTimersByTimeAsync(10);
    expect(core.reconciles).toEqual([hash('a'), hash('b')]);
    expect(core.desiredCalls).toBe(desiredBefore + 1);
    expect(core.reports.at(-1)).toMatchObject({ lockfileHash: hash('b') });
    // The same hash again (a heartbeat) asks for nothing.
    core.heartbeat();
    await vi.advanceTimersByTimeAsync(10);
    expect(core.desiredCalls).toBe(desiredBefore + 1);
    await loop.stop();
  });

  it('pushes during a sync share one follow-up that asks again, even a push back to the tree it still runs', async () => {
    const { core, loop } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    const desiredBefore = core.desiredCalls;
    let release!: () => void;
    core.holdReconciles = new Promise((resolve) => (release = resolve));
    core.commit(hash('b'));
    await vi.advanceTimersByTimeAsync(10);
    expect(core.reconciles).toEqual([hash('a'), hash('b')]);
    // While b is still being built the state moves on and comes back to a, the tree this agent runs.
    core.commit(hash('c'));
    core.commit(hash('a'));
    core.commit(hash('c'));
    core.commit(hash('a'));
    await vi.advanceTimersByTimeAsync(10);
    core.holdReconciles = null;
    release();
    await vi.advanceTimersByTimeAsync(10);
    expect(core.desiredCalls).toBe(desiredBefore + 2);
    expect(core.reconciles).toEqual([hash('a'), hash('b'), hash('a')]);
    expect(core.current()).toBe(hash('a'));
    expect(core.reports.at(-1)).toMatchObject({ lockfileHash: hash('a'), lastError: null });
    await loop.stop();
  });

  it('a push back to the tree it runs, arriving while a sync heads elsewhere, is followed', async () => {
    const { core, loop } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    let release!: () => void;
    core.holdReconciles = new Promise((resolve) => (release = resolve));
    core.commit(hash('b'));
    await vi.advanceTimersByTimeAsync(10);
    // Only the newest hash reaches the agent (a stream reads the hash after a burst of commits).
    core.commit(hash('a'));
    await vi.advanceTimersByTimeAsync(10);
    core.holdReconciles = null;
    release();
    await vi.advanceTimersByTimeAsync(10);
    expect(core.reconciles).toEqual([hash('a'), hash('b'), hash('a')]);
    expect(core.current()).toBe(hash('a'));
    await loop.stop();
  });

  it('polls the desired state every poll interval while the stream is down, and stops once it is back', async () => {
    const { core, loop } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    core.streams[0]!.end();
    await vi.advanceTimersByTimeAsync(10);
    expect(core.logged('watch lost')).toHaveLength(1);
    // The core refuses new streams but answers polls: a commit is found by polling.
    const realWatch = core.streams.length;
    core.silentStreams = true;
    core.commit(hash('c'));
    await vi.advanceTimersByTimeAsync(core.pollIntervalMs + 10);
    expect(core.reconciles).toContain(hash('c'));
    const polls = core.desiredCalls;
    await vi.advanceTimersByTimeAsync(core.pollIntervalMs * 2);
    expect(core.desiredCalls).toBeGreaterThanOrEqual(polls + 2);
    expect(core.streams.length).toBeGreaterThan(realWatch);

    // A stream that delivers again ends the polling.
    core.silentStreams = false;
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 3 + options.watchRetry!.maxMs);
    expect(core.logged('watch connected').length).toBeGreaterThanOrEqual(2);
    const settled = core.desiredCalls;
    for (let i = 0; i < 4; i++) {
      core.heartbeat();
      await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    }
    expect(core.desiredCalls).toBe(settled);
    await loop.stop();
  });

  it('declares a stream dead after 2.5 heartbeat intervals without an event, aborts it and reconnects', async () => {
    const { core, loop } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    // Heartbeats keep it alive for much longer than 2.5 intervals.
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
      core.heartbeat();
    }
    expect(core.streams[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 2.4);
    expect(core.streams[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS * 0.2);
    expect(core.streams[0]!.aborted).toBe(true);
    expect(core.logged('watch lost')[0]?.fields).toMatchObject({ error: expect.stringContaining('no event from the core for 2500 ms') });
    await vi.advanceTimersByTimeAsync(options.watchRetry!.baseMs);
    expect(core.streams).toHaveLength(2);
    expect(core.streams[1]!.aborted).toBe(false);
    await loop.stop();
  });

  it('reconnects with exponential backoff and jitter while the core refuses streams', async () => {
    const { core, loop } = setup(hash('a'), () => 0);
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    core.reachable = false;
    core.streams[0]!.fail(new TypeError('terminated'));
    await vi.advanceTimersByTimeAsync(1);
    expect(core.logged('watch lost')[0]?.fields?.retryInMs).toBe(100);
    await vi.advanceTimersByTimeAsync(100 + 200 + 400 + 800 + 1600 + 5);
    const retries = core.logged('watch failed').map((line) => line.fields?.retryInMs);
    // random() = 0: the lower bound of each step, half of base * 2^n, up to half the ceiling.
    expect(retries.slice(0, 5)).toEqual([200, 400, 800, 1600, 2000]);
    await loop.stop();
  });

  it('keeps the last good tree while the core is unreachable, says so, and converges when it returns', async () => {
    const { core, loop } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    core.reachable = false;
    core.streams[0]!.fail(new TypeError('terminated'));
    core.commit(hash('d'));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(loop.status()).toMatchObject({ lockfileHash: hash('a'), streamConnected: false });
    expect(core.current()).toBe(hash('a'));
    const unreachable = core.logged('core unreachable; keeping the last good tree');
    expect(unreachable.length).toBeGreaterThan(0);
    expect(unreachable[0]?.fields).toMatchObject({ lockfileHash: hash('a') });

    core.reachable = true;
    await vi.advanceTimersByTimeAsync(12_000);
    expect(loop.status()).toMatchObject({ lockfileHash: hash('d'), lastError: null });
    expect(core.reports.at(-1)).toMatchObject({ lockfileHash: hash('d'), lastError: null });
    await loop.stop();
  });

  it('reports a blob that failed verification, retries with backoff, then converges', async () => {
    const { core, loop } = setup(null);
    await loop.start();
    core.corruptReconciles = 2;
    core.commit(hash('e'));
    await vi.advanceTimersByTimeAsync(10);
    expect(loop.status().lockfileHash).toBeNull();
    expect(core.reports.at(-1)).toMatchObject({ lockfileHash: null, lastError: expect.stringContaining('INTEGRITY_MISMATCH') });
    expect(core.logged('reconcile failed; keeping the last good tree')[0]?.fields).toMatchObject({ code: 'INTEGRITY_MISMATCH', retryInMs: 300 });
    await vi.advanceTimersByTimeAsync(300);
    expect(core.reconciles.filter((h) => h === hash('e'))).toHaveLength(2);
    // The second retry waits longer: 0.5 * (400 * 2) / 2 + 400.
    await vi.advanceTimersByTimeAsync(600);
    expect(loop.status()).toMatchObject({ lockfileHash: hash('e'), lastError: null });
    expect(core.reports.at(-1)).toMatchObject({ lockfileHash: hash('e'), lastError: null });
    await loop.stop();
  });

  it('keeps backing off a reconcile that keeps failing: heartbeats repeating its hash do not retry it', async () => {
    const { core, loop } = setup(null);
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    core.corruptReconciles = 1_000;
    core.commit(hash('e'));
    // Heartbeats well inside the stream's silence limit, for 10 s; retries wait 300, 600, 1200, 2400, 4800 ms.
    for (let i = 0; i < 20; i++) {
      core.heartbeat();
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(core.reconciles.filter((h) => h === hash('e')).length).toBeLessThanOrEqual(6);
    // A hash that is new still gets tried at once.
    const before = core.reconciles.length;
    core.commit(hash('f'));
    await vi.advanceTimersByTimeAsync(10);
    expect(core.reconciles.slice(before)).toEqual([hash('f')]);
    await loop.stop();
  });

  it('reports on a heartbeat at the poll interval the core asks for, even when nothing changes', async () => {
    const { core, loop } = setup();
    core.pollIntervalMs = 2_000;
    await loop.start();
    const after = core.reports.length;
    for (let i = 0; i < 3; i++) {
      core.heartbeat();
      await vi.advanceTimersByTimeAsync(2_000);
    }
    expect(core.reports.length - after).toBe(3);
    await loop.stop();
  });

  it('on a revoked token says so, keeps the tree, and retries only seldom', async () => {
    const { core, loop } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    core.tokenRevoked = true;
    core.streams[0]!.fail(new TypeError('terminated'));
    core.commit(hash('f'));
    await vi.advanceTimersByTimeAsync(10);
    const refused = core.logs.filter((line) => line.msg.startsWith('the core refused the satellite token'));
    expect(refused.length).toBeGreaterThan(0);
    const calls = core.desiredCalls;
    await vi.advanceTimersByTimeAsync(options.refusedRetryMs! - 100);
    // Nothing but the single poll-interval polls (5 s) while refused: no fast retry loop.
    expect(core.desiredCalls - calls).toBeLessThanOrEqual(Math.ceil(options.refusedRetryMs! / core.pollIntervalMs));
    expect(loop.status().lockfileHash).toBe(hash('a'));
    await loop.stop();
  });

  it('stops cleanly: the stream is closed and nothing is called afterwards', async () => {
    const { core, loop } = setup();
    await loop.start();
    await vi.advanceTimersByTimeAsync(10);
    await loop.stop();
    expect(core.streams.every((stream) => stream.aborted)).toBe(true);
    const calls = { desired: core.desiredCalls, reports: core.reports.length, streams: core.streams.length };
    await vi.advanceTimersByTimeAsync(60_000);
    expect({ desired: core.desiredCalls, reports: core.reports.length, streams: core.streams.length }).toEqual(calls);
  });
});
