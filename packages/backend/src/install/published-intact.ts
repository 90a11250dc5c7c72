// Which published blobs are intact, asked once for a whole install: the store checks them where
// the bytes are when it can (the PostgreSQL store hashes in the database), else each is read
// through and verified, a few at a time.
import { mapConcurrent } from '@spk/reconciler';
import type { BlobStore } from '../blob-stores/blob-store.ts';
import { isStoredBlobIntact } from '../blob-stores/published-blob.ts';

export async function intactAmong(store: BlobStore, entries: Array<{ integrity: string; size: number }>, concurrency: number, signal?: AbortSignal): Promise<Set<string>> {
  if (store.intactAmong) return store.intactAmong(entries);
  const intact = new Set<string>();
  await mapConcurrent(entries, concurrency, async ({ integrity, size }) => {
    signal?.throwIfAborted();
    if (await isStoredBlobIntact(store, integrity, size)) intact.add(integrity);
  });
  return intact;
}
