// One run of a storage migration, from wherever its durable state says it is: copy every blob not
// yet verified in the target (read verified from its store, put, re-read and verify, record), then
// switch the blob index and the active store at once, then (if asked) delete the source copies.
// A run that is stopped leaves the row active; the next run starts from the recorded replicas.
import { isSpkError, SpkError, type MigrationStatus } from '@spk/common';
import { mapConcurrent } from '@spk/reconciler';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { isStoredBlobIntact, readPublishedBlob, type PublishedBlobDeps } from '../blob-stores/published-blob.ts';
import { publicErrorMessage } from '../errors/driver-error.ts';
import type { Clock, Logger } from '../services.ts';
import type { IndexedBlob, MigrationRow, MigrationStore, SourceCopy } from './migration-store.ts';
import { createProgressRecorder } from './migration-progress.ts';

export interface MigrationRunDeps {
  store: MigrationStore;
  blobStores: BlobStoreRegistry;
  /** How a blob is found and read verified (the blob index and the stores). */
  published: PublishedBlobDeps;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  /** Aborted to stop taking new blobs (the server stops, or the lock was lost); the row stays active. */
  signal: AbortSignal;
  /** Told the bytes already verified when copying (re)starts: the ETA counts from there. */
  onCopying?(bytesDone: number): void;
}

/** What a run ended in: a final status, or 'stopped' (still active, for the next run to resume). */
export type RunOutcome = Extract<MigrationStatus, 'done' | 'failed'> | 'stopped';

const PAGE = 200;

/** A per-blob failure, saying which blob, where, and what the operator does about it. */
function copyFailure(blob: IndexedBlob, target: string, source: string, problem: string): SpkError {
  return new SpkError(
    'BLOB_STORE_FAILED',
    `blob ${blob.integrity} (indexed in "${blob.storeId}") ${problem}, so it is not verified in "${target}"; the migration ends without switching ` +
      `("${source}" stays active): repair or remove that copy, then start the migration again (blobs already verified are copied again and kept)`,
    { integrity: blob.integrity, storeId: blob.storeId, target },
  );
}

export async function runMigration(row: MigrationRow, deps: MigrationRunDeps): Promise<RunOutcome> {
  const { store, clock, signal } = deps;
  const log = deps.logger.child({ component: 'storage-migration', migration: row.id, target: row.target });
  const target = deps.blobStores.get(row.target);
  const progress = createProgressRecorder({ row, write: (patch) => store.update(row.id, patch, clock.now()), now: () => clock.now().getTime() });
  let status = row.status;

  async function copyOne(blob: IndexedBlob): Promise<void> {
    let bytes: Uint8Array | null;
    try {
      bytes = await readPublishedBlob(deps.published, blob.integrity);
    } catch (error) {
      if (isSpkError(error, 'INTEGRITY_MISMATCH')) throw copyFailure(blob, row.target, row.source, 'is damaged (its bytes do not match their integrity)');
      throw copyFailure(blob, row.target, row.source, `could not be read (${publicErrorMessage(error, 'reading it failed')})`);
    }
    if (!bytes) throw copyFailure(blob, row.target, row.source, 'is missing from that store');
    try {
      await target.put(blob.integrity, bytes);
    } catch (error) {
      throw copyFailure(blob, row.target, row.source, `could not be written to "${row.target}" (${publicErrorMessage(error, 'the write failed')})`);
    }
    bytes = null;
    let intact: boolean;
    try {
      intact = await isStoredBlobIntact(target, blob.integrity, blob.size);
    } catch (error) {
      throw copyFailure(blob, row.target, row.source, `could not be read back from "${row.target}" (${publicErrorMessage(error, 'the read failed')})`);
    }
    if (!intact) throw copyFailure(blob, row.target, row.source, `did not read back intact from "${row.target}" after it was written (check that store)`);
    await store.recordReplica(blob.integrity, row.target, clock.now());
  }

  async function* remaining(): AsyncGenerator<IndexedBlob> {
    let after: string | null = null;
    for (;;) {
      const page = await store.remainingPage(row.target, after, PAGE);
      if (page.length === 0) return;
      yield* page;
      after = page.at(-1)!.integrity;
    }
  }

  async function copyPass(): Promise<void> {
    const left = await store.remainingTotals(row.target);
    // The replicas are the truth: what they do not cover is what is left, whatever the row last said.
    await progress.set({ done: Math.max(0, row.total - left.blobs), bytesDone: Math.max(0, row.totalBytes - left.bytes) });
    deps.onCopying?.(progress.bytesDone());
    const blobs = remaining();
    // One blob in memory per worker; async generators queue concurrent next() calls, so each blob goes to one worker.
    const worker = async () => {
      while (!signal.aborted) {
        const next = await blobs.next();
        if (next.done) return;
        try {
          await copyOne(next.value);
          progress.verified(next.value.size);
        } catch (error) {
          if (!isSpkError(error, 'BLOB_STORE_FAILED')) throw error;
          log.warn({ integrity: next.value.integrity, storeId: next.value.storeId }, 'a blob could not be migrated');
          progress.failed(next.value.integrity, error.message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, deps.concurrency) }, worker));
    await progress.flush();
  }

  async function deleteSourceCopies(): Promise<void> {
    const failed = new Set<string>();
    for (;;) {
      if (signal.aborted) return;
      const copies = (await store.sourceCopies(row.target, PAGE)).filter((c) => !failed.has(`${c.storeId} ${c.integrity}`));
      if (copies.length === 0) return;
      await mapConcurrent(copies, deps.concurrency, async (copy: SourceCopy) => {
        try {
          await deps.blobStores.get(copy.storeId).delete(copy.integrity);
        } catch (error) {
          failed.add(`${copy.storeId} ${copy.integrity}`);
          progress.failed(
            copy.integrity,
            `the old copy of blob ${copy.integrity} in "${copy.storeId}" could not be deleted (${publicErrorMessage(error, 'the delete failed')}); ` +
              `"${row.target}" holds it and serves it, so only space is lost: delete it from "${copy.storeId}" by hand`,
          );
          return;
        }
        await store.forgetReplica(copy);
      });
    }
  }

  for (;;) {
    if (status === 'copying') {
      await copyPass();
      if (signal.aborted) return 'stopped';
      const left = await store.remainingTotals(row.target);
      if (left.blobs > 0) {
        const lastError = `${left.blobs} of ${row.total} blobs could not be verified in "${row.target}" (see errors), so "${row.source}" stays active; repair them and start the migration again`;
        await progress.set({ status: 'failed', lastError, finishedAt: clock.now() });
        log.warn({ left: left.blobs }, 'storage migration failed; the active store is unchanged');
        return 'failed';
      }
      await progress.set({ status: 'switching' });
      status = 'switching';
    }
    if (status === 'switching') {
      if (signal.aborted) return 'stopped';
      if (!(await store.switchTo(row, clock.now()))) {
        // A blob indexed after the copy pass (installs are refused meanwhile, so only by hand): copy it too.
        await progress.set({ status: 'copying' });
        status = 'copying';
        continue;
      }
      log.info({ blobs: row.total }, 'every blob is verified in the target: it is the active store now');
      if (!row.deleteSource) return 'done';
      status = 'deleting-source';
    }
    if (status === 'deleting-source') {
      await deleteSourceCopies();
      if (signal.aborted) return 'stopped';
      await progress.flush();
      const failures = progress.errorCount();
      await store.finish(row, failures > 0 ? { lastError: `${failures} old copies could not be deleted (see errors); every blob is served from "${row.target}"` } : {}, clock.now());
      log.info({ failures }, 'storage migration done: source copies deleted');
    }
    return 'done';
  }
}
