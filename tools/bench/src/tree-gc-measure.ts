// The host half of the lifecycle bench: one data dir holding RETIRED_TREES trees other than
// `current` (the set's manifest minus different entries, built by the real reconciler from blobs
// in memory), then one tree GC pass with no grace, timed.
import { computeLockfileHash, type DesiredState, type Manifest } from '@spk/common';
import { createReconciler, DEFAULT_RUN_SETTINGS } from '@spk/reconciler';
import { timeIt } from './bench-support.ts';

export const RETIRED_TREES = 10;

/**
 * `count` different manifests, each the full one minus some entries: entry i alone while the set
 * has enough entries, else the entries at the set bits of i + 1 (a small set still gives distinct trees).
 */
export async function variantStates(manifest: Manifest, count: number): Promise<DesiredState[]> {
  const bitsNeeded = Math.ceil(Math.log2(count + 1));
  if (manifest.length <= bitsNeeded) throw new Error(`a set of ${manifest.length} entries cannot give ${count} different smaller trees`);
  const dropped = manifest.length > count ? (i: number, j: number) => i === j : (i: number, j: number) => (((i + 1) >> j) & 1) === 1;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const variant = manifest.filter((_, j) => !dropped(i, j));
      return { lockfileHash: await computeLockfileHash(variant), manifest: variant };
    }),
  );
}

export async function measureTreeGc(dataDir: string, full: DesiredState, blobs: ReadonlyMap<string, Uint8Array>): Promise<{ ms: number; bytesFreed: number }> {
  const fetchBlob = async (integrity: string) => blobs.get(integrity)!;
  // Built without tree GC: with it, a pass would follow every reconcile and collect as it goes.
  const builder = createReconciler({ dataDir, fetchBlob });
  for (const state of await variantStates(full.manifest, RETIRED_TREES)) await builder.reconcile(state);
  await builder.reconcile(full);
  // No kept history: whatever the remaining tree does not use may go too.
  const treeGc = { graceMs: 0, runTimeoutMs: DEFAULT_RUN_SETTINGS.maxTimeoutMs, retainedIntegrities: async () => new Set<string>() };
  const collector = createReconciler({ dataDir, fetchBlob, treeGc });
  const { ms, value: collection } = await timeIt(() => collector.collect());
  if (collection.trees !== RETIRED_TREES || collection.errors.length > 0) {
    throw new Error(`tree GC deleted ${collection.trees} of ${RETIRED_TREES} retired trees: ${collection.errors.slice(0, 3).join('; ') || 'no error reported'}`);
  }
  return { ms, bytesFreed: collection.bytesFreed };
}
