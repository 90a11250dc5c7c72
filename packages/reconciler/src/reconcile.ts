// One convergence step: desired state -> local tree. Pure orchestration; every side effect
// (cache listing, download, verified store, materialize, flip) comes in through `deps`, so
// the decision logic is tested without a disk and the fs adapter is tested on a real one.
import { uniqueBlobs, type Manifest } from '@spk/common';
import type { BlobRef, BlobSource } from './blob-cache.ts';
import { mapConcurrent } from './map-concurrent.ts';

export const DEFAULT_FETCH_CONCURRENCY = 8;

export interface ReconcileDeps {
  /** Hash of the tree `current` points at, only if that tree is complete. */
  readCurrent(): Promise<string | null>;
  hasCompleteTree(lockfileHash: string): Promise<boolean>;
  listLocalBlobs(): Promise<ReadonlySet<string>>;
  fetchBlob(integrity: string): Promise<BlobSource>;
  /**
   * Verifies while storing; throws INTEGRITY_MISMATCH and stores nothing on bad bytes. May also
   * unpack the verified blob at once (the fs adapter does), so extraction overlaps downloads.
   */
  storeBlob(blob: BlobRef, source: BlobSource): Promise<void>;
  /** Builds the complete tree (marker included) from cached blobs. */
  materializeTree(lockfileHash: string, manifest: Manifest): Promise<void>;
  flipCurrent(lockfileHash: string): Promise<void>;
  now(): number;
}

export interface ReconcileResult {
  lockfileHash: string;
  /** Whether `current` was flipped. */
  changed: boolean;
  /** Blobs downloaded in this reconcile. */
  fetched: number;
  /** Needed blobs that were already in the local cache (0 when no tree had to be built). */
  reusedBlobs: number;
  durationMs: number;
}

export interface ReconcileInput {
  lockfileHash: string;
  manifest: Manifest;
  deps: ReconcileDeps;
  concurrency?: number;
}

export async function reconcile({ lockfileHash, manifest, deps, concurrency = DEFAULT_FETCH_CONCURRENCY }: ReconcileInput): Promise<ReconcileResult> {
  const started = deps.now();
  const done = (changed: boolean, fetched: number, reusedBlobs: number): ReconcileResult => ({
    lockfileHash,
    changed,
    fetched,
    reusedBlobs,
    durationMs: deps.now() - started,
  });

  // Converged already: read-only, touches nothing.
  if ((await deps.readCurrent()) === lockfileHash) return done(false, 0, 0);

  // Going back to a tree built earlier needs no blobs at all.
  if (await deps.hasCompleteTree(lockfileHash)) {
    await deps.flipCurrent(lockfileHash);
    return done(true, 0, 0);
  }

  const labels = new Map<string, string>();
  for (const entry of manifest) if (!labels.has(entry.integrity)) labels.set(entry.integrity, `${entry.name}@${entry.version}`);
  const needed = uniqueBlobs(manifest);
  const local = await deps.listLocalBlobs();
  const missing = needed.filter((blob) => !local.has(blob.integrity));

  await mapConcurrent(missing, concurrency, async ({ integrity }) => {
    const source = await deps.fetchBlob(integrity);
    await deps.storeBlob({ integrity, label: labels.get(integrity)! }, source);
  });

  // Only a complete tree may become current: materialize first, flip last.
  await deps.materializeTree(lockfileHash, manifest);
  await deps.flipCurrent(lockfileHash);
  return done(true, missing.length, needed.length - missing.length);
}
