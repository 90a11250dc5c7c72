import { describe, expect, it } from 'vitest';
import { isPinLive, isRunDirAbandoned, PIN_AGE_MARGIN_MS, planCacheCollection, planRetirement, type PinFacts } from './tree-gc.ts';

const NOW = 1_000_000_000;
const TIMEOUT = 600_000;
const pin = (facts: Partial<PinFacts>): PinFacts => ({ pinnedAt: NOW - 1000, hasRecord: true, ownerAlive: true, child: 'alive', ...facts });
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

describe('run pin staleness', () => {
  it('keeps a pin whose script still runs, even after its owner died, and drops one whose script ended', () => {
    expect(isPinLive(pin({}), NOW, TIMEOUT)).toBe(true);
    expect(isPinLive(pin({ ownerAlive: false }), NOW, TIMEOUT)).toBe(true);
    expect(isPinLive(pin({ child: 'dead' }), NOW, TIMEOUT)).toBe(false);
    expect(isPinLive(pin({ ownerAlive: false, child: 'dead' }), NOW, TIMEOUT)).toBe(false);
  });

  it('before the script starts, the owner decides; a pin of unknown owner protects until it is too old', () => {
    expect(isPinLive(pin({ child: 'none' }), NOW, TIMEOUT)).toBe(true);
    expect(isPinLive(pin({ child: 'none', ownerAlive: false }), NOW, TIMEOUT)).toBe(false);
    expect(isPinLive(pin({ hasRecord: false, ownerAlive: false, child: 'none' }), NOW, TIMEOUT)).toBe(true);
    expect(isPinLive(pin({ hasRecord: false, ownerAlive: false, child: 'none', pinnedAt: NOW - TIMEOUT - PIN_AGE_MARGIN_MS - 1 }), NOW, TIMEOUT)).toBe(false);
  });

  it('drops a pin older than the run timeout plus the margin whatever its processes say', () => {
    expect(isPinLive(pin({ pinnedAt: NOW - TIMEOUT - PIN_AGE_MARGIN_MS }), NOW, TIMEOUT)).toBe(true);
    expect(isPinLive(pin({ pinnedAt: NOW - TIMEOUT - PIN_AGE_MARGIN_MS - 1 }), NOW, TIMEOUT)).toBe(false);
  });

  it("judges a pin that records its run's own timeout by that timeout, not by the host's setting", () => {
    const long = TIMEOUT * 3;
    expect(isPinLive(pin({ timeoutMs: long, pinnedAt: NOW - TIMEOUT * 2 }), NOW, TIMEOUT)).toBe(true);
    expect(isPinLive(pin({ timeoutMs: long, pinnedAt: NOW - long - PIN_AGE_MARGIN_MS - 1 }), NOW, TIMEOUT)).toBe(false);
    expect(isPinLive(pin({ timeoutMs: 1_000, pinnedAt: NOW - 1_000 - PIN_AGE_MARGIN_MS - 1 }), NOW, TIMEOUT)).toBe(false);
  });

  it('calls a run dir abandoned only when its owner and its script are both known to be gone', () => {
    expect(isRunDirAbandoned(pin({ ownerAlive: false, child: 'dead' }))).toBe(true);
    expect(isRunDirAbandoned(pin({ ownerAlive: false, child: 'none' }))).toBe(true);
    expect(isRunDirAbandoned(pin({ ownerAlive: false, child: 'alive' }))).toBe(false);
    expect(isRunDirAbandoned(pin({ ownerAlive: true, child: 'dead' }))).toBe(false);
    expect(isRunDirAbandoned(pin({ hasRecord: false, ownerAlive: false, child: 'none' }))).toBe(false);
  });
});

describe('tree retirement', () => {
  const base = { now: NOW, graceMs: 10_000, current: A, trees: [A, B, C], pinned: new Set<string>() };

  it('starts the grace of a tree when it is first seen retired and collects it once the grace is over', () => {
    const first = planRetirement({ ...base, retiredSince: {} });
    expect(first).toEqual({ retiredSince: { [B]: NOW, [C]: NOW }, collect: [], pinned: [], waiting: [B, C] });
    const later = planRetirement({ ...base, now: NOW + 10_000, retiredSince: { [B]: NOW, [C]: NOW + 1 } });
    expect(later.collect).toEqual([B]);
    expect(later.waiting).toEqual([C]);
  });

  it('keeps a pinned tree past the grace, and forgets the retirement of a tree that became current again', () => {
    const plan = planRetirement({ ...base, current: B, now: NOW + 60_000, retiredSince: { [B]: NOW, [C]: NOW }, pinned: new Set([C]) });
    expect(plan).toEqual({ retiredSince: { [A]: NOW + 60_000, [C]: NOW }, collect: [], pinned: [C], waiting: [A] });
  });

  it('never counts a retirement recorded in the future (a clock set back) as older than now', () => {
    const plan = planRetirement({ ...base, now: NOW, retiredSince: { [B]: NOW + 3_600_000 } });
    expect(plan.retiredSince[B]).toBe(NOW);
    expect(plan.collect).toEqual([]);
  });
});

describe('cache collection', () => {
  it('deletes entries no remaining tree, kept history entry or reconcile in flight needs', () => {
    const plan = planCacheCollection({
      remaining: [['i1', 'i2']],
      retained: new Set(['i3']),
      inFlight: ['i4'],
      extracted: ['i1', 'i3', 'i4', 'i5'],
      blobs: ['i2', 'i5', 'i6'],
    });
    expect(plan).toEqual({ extracted: ['i5'], blobs: ['i5', 'i6'] });
  });

  it('deletes nothing while the history or a remaining tree does not say what it needs', () => {
    const input = { remaining: [['i1']], retained: new Set<string>(), inFlight: [], extracted: ['i9'], blobs: ['i9'] };
    expect(planCacheCollection({ ...input, retained: null })).toEqual({ extracted: [], blobs: [] });
    expect(planCacheCollection({ ...input, remaining: [['i1'], null] })).toEqual({ extracted: [], blobs: [] });
  });
});
