import { describe, expect, it } from 'vitest';
import { eligibleAt, planBlobGc, type IndexedBlob } from './blob-gc.ts';

const HOUR = 3_600_000;
const now = new Date('2030-01-02T00:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const blob = (integrity: string, unreferencedSince: Date | null = null): IndexedBlob => ({ integrity, size: 10, storeId: 'postgres', unreferencedSince });
const names = (blobs: IndexedBlob[]) => blobs.map((b) => b.integrity);

describe('planBlobGc', () => {
  it('never touches a referenced blob, however long ago it was marked', () => {
    const plan = planBlobGc({ blobs: [blob('a'), blob('b', ago(100 * HOUR))], referenced: new Set(['a', 'b']), now, graceMs: HOUR });
    expect(names(plan.remove)).toEqual([]);
    expect(names(plan.mark)).toEqual([]);
    expect(names(plan.clear)).toEqual(['b']);
  });

  it('marks a newly unreferenced blob instead of deleting it, even with no grace', () => {
    const plan = planBlobGc({ blobs: [blob('a')], referenced: new Set(), now, graceMs: 0 });
    expect(names(plan.mark)).toEqual(['a']);
    expect(plan.remove).toEqual([]);
  });

  it('deletes a marked blob only once the grace has passed', () => {
    const blobs = [blob('young', ago(HOUR - 1)), blob('due', ago(HOUR)), blob('old', ago(5 * HOUR))];
    const plan = planBlobGc({ blobs, referenced: new Set(), now, graceMs: HOUR });
    expect(names(plan.remove)).toEqual(['due', 'old']);
    expect(plan.mark).toEqual([]);
    expect(plan.clear).toEqual([]);
  });

  it('says when a marked blob becomes eligible', () => {
    expect(eligibleAt(ago(HOUR), 24 * HOUR).toISOString()).toBe(new Date(now.getTime() + 23 * HOUR).toISOString());
  });
});
