import { describe, expect, it } from 'vitest';
import { SpkError, type Manifest } from '@spk/common';
import { reconcile, type ReconcileDeps } from './reconcile.ts';
import { fakeEntry, fakeIntegrity as integrity } from './test-support/manifest-entry.ts';

const entry = (name: string, c: string, path?: string) => fakeEntry(name, { c, ...(path ? { path } : {}) });
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

/** An in-memory host: the orchestration sees the same contract as the fs adapter. */
function memoryHost(initial: { current?: string; trees?: string[]; blobs?: string[]; corrupt?: string[]; fetchDelayMs?: number } = {}) {
  const state = { current: initial.current ?? null, trees: new Set(initial.trees), blobs: new Set(initial.blobs) };
  const calls: string[] = [];
  let inFlight = 0;
  let peakFetches = 0;
  const deps: ReconcileDeps = {
    readCurrent: async () => (calls.push('readCurrent'), state.current),
    hasCompleteTree: async (hash) => (calls.push('hasCompleteTree'), state.trees.has(hash)),
    listLocalBlobs: async () => (calls.push('listLocalBlobs'), new Set(state.blobs)),
    async fetchBlob(id) {
      calls.push(`fetch ${id.slice(7, 8)}`);
      peakFetches = Math.max(peakFetches, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, initial.fetchDelayMs ?? 0));
      inFlight--;
      return Buffer.from(id);
    },
    async storeBlob(blob) {
      if (initial.corrupt?.includes(blob.integrity)) throw new SpkError('INTEGRITY_MISMATCH', `bad bytes for ${blob.label}`);
      state.blobs.add(blob.integrity);
    },
    async materializeTree(hash, manifest: Manifest) {
      calls.push('materialize');
      for (const e of manifest) if (!state.blobs.has(e.integrity)) throw new Error(`materialize without blob ${e.name}`);
      state.trees.add(hash);
    },
    flipCurrent: async (hash) => {
      calls.push(`flip ${hash.slice(0, 1)}`);
      state.current = hash;
    },
    now: () => 0,
  };
  return { deps, state, calls, peakFetches: () => peakFetches };
}

describe('reconcile', () => {
  it('on a fresh host fetches every blob, materializes, and flips last', async () => {
    const host = memoryHost();
    const result = await reconcile({ lockfileHash: HASH_A, manifest: [entry('x', 'x'), entry('y', 'y')], deps: host.deps });
    expect(result).toEqual({ lockfileHash: HASH_A, changed: true, fetched: 2, reusedBlobs: 0, durationMs: 0 });
    expect(host.calls.slice(-2)).toEqual(['materialize', 'flip a']);
    expect(host.state.current).toBe(HASH_A);
  });

  it('is a read-only no-op when current already is the desired complete tree', async () => {
    const host = memoryHost({ current: HASH_A, trees: [HASH_A] });
    const result = await reconcile({ lockfileHash: HASH_A, manifest: [entry('x', 'x')], deps: host.deps });
    expect(result.changed).toBe(false);
    expect(result.fetched).toBe(0);
    expect(host.calls).toEqual(['readCurrent']);
  });

  it('pulls only the blobs missing locally, once per integrity however many paths use it', async () => {
    const host = memoryHost({ current: HASH_A, trees: [HASH_A], blobs: [integrity('x'), integrity('y')] });
    const manifest = [entry('x', 'x'), entry('y', 'y'), entry('z', 'z'), entry('z', 'z', 'node_modules/x/node_modules/z')];
    const result = await reconcile({ lockfileHash: HASH_B, manifest, deps: host.deps });
    expect(host.calls.filter((c) => c.startsWith('fetch'))).toEqual(['fetch z']);
    expect(result).toMatchObject({ changed: true, fetched: 1, reusedBlobs: 2 });
  });

  it('flips back to a tree built earlier without listing or fetching blobs', async () => {
    const host = memoryHost({ current: HASH_B, trees: [HASH_A, HASH_B] });
    const result = await reconcile({ lockfileHash: HASH_A, manifest: [entry('x', 'x')], deps: host.deps });
    expect(result).toMatchObject({ changed: true, fetched: 0 });
    expect(host.calls).toEqual(['readCurrent', 'hasCompleteTree', 'flip a']);
  });

  it('neither materializes nor flips when a blob fails verification', async () => {
    const host = memoryHost({ current: HASH_A, trees: [HASH_A], corrupt: [integrity('y')] });
    const run = reconcile({ lockfileHash: HASH_B, manifest: [entry('x', 'x'), entry('y', 'y')], deps: host.deps });
    await expect(run).rejects.toThrow('bad bytes for y@1.0.0');
    expect(host.calls).not.toContain('materialize');
    expect(host.state.current).toBe(HASH_A);
  });

  it('keeps at most `concurrency` downloads in flight', async () => {
    const host = memoryHost({ fetchDelayMs: 2 });
    const manifest = 'abcdefghijklmnop'.split('').map((c) => entry(`p${c}`, c));
    await reconcile({ lockfileHash: HASH_A, manifest, deps: host.deps, concurrency: 3 });
    expect(host.calls.filter((c) => c.startsWith('fetch'))).toHaveLength(16);
    expect(host.peakFetches()).toBe(3);
  });
});
