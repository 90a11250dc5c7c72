// The cluster-wide half of the lifecycle bench, each measurement on a fresh backend and database:
// a storage migration between two stores (the real migration service, timed from the request to
// its "done"), and one blob GC run deleting blobs unreferenced past the grace.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createFilesystemBlobStore,
  createPostgresBlobStore,
  createS3BlobStore,
  FILESYSTEM_STORE_ID,
  POSTGRES_STORE_ID,
  S3_STORE_ID,
  silentLogger,
  type BlobStore,
  type LifecycleOptions,
  type S3StoreSettings,
} from '@spk/backend';
import { createTestBackend, type TestBackend, type TestDriver } from '@spk/backend/testing';
import type { GcRun, StorageMigration } from '@spk/common';
import { seedBlobs, type SeedBlob } from './blob-seeding.ts';

export const STORE_IDS = [POSTGRES_STORE_ID, FILESYSTEM_STORE_ID, S3_STORE_ID] as const;
export type StoreId = (typeof STORE_IDS)[number];

const HOUR = 3_600_000;
const MIGRATION_TIMEOUT_MS = 15 * 60_000;

export interface StoreBench {
  driver: TestDriver;
  /** Where each backend gets its own filesystem store directory. */
  work: string;
  /** The loopback S3 server's settings; each backend gets its own key prefix. */
  s3: S3StoreSettings;
}

let backends = 0;

/** A fresh backend whose active store is `active`, with every store registered, and the stores themselves for seeding. */
async function openStoreBackend(bench: StoreBench, active: StoreId, lifecycle: LifecycleOptions) {
  const name = `backend-${++backends}`;
  const blobDir = path.join(bench.work, name);
  const s3 = { ...bench.s3, prefix: name };
  const t: TestBackend = await createTestBackend(bench.driver, { defaultStoreId: active, blobDir, s3, lifecycle });
  const stores: Record<StoreId, BlobStore> = {
    postgres: createPostgresBlobStore(t.database.db),
    filesystem: createFilesystemBlobStore(blobDir),
    s3: createS3BlobStore(s3, silentLogger),
  };
  return {
    t,
    stores,
    async close() {
      await t.close();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}

/** Milliseconds from asking for the migration to seeing it done, with every blob verified in the target. */
export async function measureMigration(bench: StoreBench, source: StoreId, target: StoreId, blobs: readonly SeedBlob[]): Promise<number> {
  const backend = await openStoreBackend(bench, source, { blobGc: { intervalMs: 0 }, migration: { deleteSource: false } });
  try {
    await seedBlobs(backend.t.database, backend.stores[source], blobs);
    const start = performance.now();
    await backend.t.client.storage.migrate({ targetStoreId: target, deleteSource: false });
    const migration = await finishedMigration(backend.t);
    const ms = performance.now() - start;
    const state = await backend.t.client.storage.state();
    if (migration.status !== 'done' || migration.errorCount > 0 || migration.done !== blobs.length || state.activeStore !== target) {
      throw new Error(`${source} -> ${target}: the migration ended ${migration.status} with ${migration.done}/${blobs.length} blobs, ${migration.errorCount} errors (${migration.lastError ?? 'no error recorded'}), active store ${state.activeStore}`);
    }
    return ms;
  } finally {
    await backend.close();
  }
}

async function finishedMigration(t: TestBackend): Promise<StorageMigration> {
  const deadline = performance.now() + MIGRATION_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const { migration } = await t.client.storage.state();
    if (migration && (migration.status === 'done' || migration.status === 'failed')) return migration;
    await sleep(10);
  }
  throw new Error(`the migration did not finish within ${MIGRATION_TIMEOUT_MS / 60_000} minutes`);
}

/** One blob GC run over `blobs`, all unreferenced for longer than the grace, in the active store `store`. */
export async function measureBlobGc(bench: StoreBench, store: StoreId, blobs: readonly SeedBlob[]): Promise<{ ms: number; run: GcRun }> {
  const backend = await openStoreBackend(bench, store, { blobGc: { graceMs: HOUR, intervalMs: 0 } });
  try {
    await seedBlobs(backend.t.database, backend.stores[store], blobs, { unreferencedSince: new Date(Date.now() - 2 * HOUR) });
    const start = performance.now();
    const run = await backend.t.backend.blobGc.run({ trigger: 'manual', requestedBy: null });
    const ms = performance.now() - start;
    if (run.status !== 'done' || run.blobsDeleted !== blobs.length) {
      throw new Error(`blob GC on ${store} ended ${run.status}, deleting ${run.blobsDeleted} of ${blobs.length} blobs: ${run.errors.slice(0, 3).join('; ')}`);
    }
    return { ms, run };
  } finally {
    await backend.close();
  }
}
