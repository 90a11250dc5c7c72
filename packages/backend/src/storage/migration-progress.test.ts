import { describe, expect, it } from 'vitest';
import type { ProgressPatch } from './migration-store.ts';
import { createProgressRecorder, MAX_KEPT_ERRORS } from './migration-progress.ts';

function recorder(options: { everyBlobs?: number; everyMs?: number; write?: (patch: ProgressPatch) => Promise<void> } = {}) {
  const written: ProgressPatch[] = [];
  let now = 0;
  const progress = createProgressRecorder({
    row: { done: 5, bytesDone: 500, errors: [], errorCount: 0 },
    write: options.write ?? (async (patch) => void written.push(patch)),
    now: () => now,
    everyBlobs: options.everyBlobs ?? 3,
    everyMs: options.everyMs ?? 1_000,
  });
  return { progress, written, tick: (ms: number) => (now += ms) };
}

describe('migration progress', () => {
  it('writes the counters every few blobs, not per blob, continuing from the row', async () => {
    const { progress, written } = recorder();
    progress.verified(10);
    progress.verified(10);
    expect(written).toEqual([]);
    progress.verified(10);
    await progress.flush();
    expect(written.map((p) => [p.done, p.bytesDone])).toEqual([
      [8, 530],
      [8, 530],
    ]);
  });

  it('writes once the interval passed even with few blobs', async () => {
    const { progress, written, tick } = recorder({ everyBlobs: 100, everyMs: 500 });
    progress.verified(1);
    tick(600);
    progress.verified(1);
    await progress.set({ status: 'switching' });
    expect(written.map((p) => p.done)).toEqual([7, 7]);
    expect(written[1]).toMatchObject({ status: 'switching' });
  });

  it('writes in order, so a slow earlier write never lands after a later count', async () => {
    const landed: number[] = [];
    const { progress } = recorder({
      everyBlobs: 1,
      write: async (patch) => {
        // The first write is the slowest.
        await new Promise((resolve) => setTimeout(resolve, patch.done === 6 ? 30 : 1));
        landed.push(patch.done!);
      },
    });
    progress.verified(1);
    progress.verified(1);
    progress.verified(1);
    await progress.flush();
    expect(landed).toEqual([6, 7, 8, 8]);
  });

  it('keeps the first errors and counts them all', async () => {
    const { progress, written } = recorder({ everyBlobs: 1_000 });
    for (let i = 0; i < MAX_KEPT_ERRORS + 5; i++) progress.failed(`sha512-${i}`, `blob ${i} failed`);
    await progress.flush();
    expect(written.at(-1)?.errorCount).toBe(MAX_KEPT_ERRORS + 5);
    expect(written.at(-1)?.errors).toHaveLength(MAX_KEPT_ERRORS);
    expect(written.at(-1)?.errors?.[0]).toEqual({ integrity: 'sha512-0', message: 'blob 0 failed' });
  });

  it('a batched write that failed is reported by the next flush', async () => {
    const { progress } = recorder({ everyBlobs: 1, write: async () => Promise.reject(new Error('database gone')) });
    progress.verified(1);
    await expect(progress.flush()).rejects.toThrow('database gone');
  });
});
