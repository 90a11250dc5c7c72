// Puts blobs straight into a blob store and the blob index, as an install would have published
// them (or, with `unreferencedSince`, as blob GC would have found them unreferenced): the starting
// point the lifecycle bench migrates and collects, without an install per measurement.
import { randomBytes } from 'node:crypto';
import type { BlobStore, Database } from '@spk/backend';
import { mapConcurrent } from '@spk/reconciler';
import { digestTarball, makeTarball } from '@spk/tools';

export interface SeedBlob {
  integrity: string;
  bytes: Uint8Array;
}

/** Index rows per statement: 5 parameters each, well under PostgreSQL's bind-parameter limit. */
const ROWS_PER_INSERT = 500;

export async function seedBlobs(database: Database, store: BlobStore, blobs: readonly SeedBlob[], options: { unreferencedSince?: Date } = {}): Promise<void> {
  await mapConcurrent(blobs, 8, ({ integrity, bytes }) => store.put(integrity, bytes));
  const createdAt = new Date().toISOString();
  const since = options.unreferencedSince?.toISOString() ?? null;
  // The backend exports no writer of the index; one session's plain SQL works on both drivers.
  const session = await database.openSession();
  try {
    for (let start = 0; start < blobs.length; start += ROWS_PER_INSERT) {
      const batch = blobs.slice(start, start + ROWS_PER_INSERT);
      const rows = batch.map((_, i) => `(${[1, 2, 3, 4, 5].map((n) => `$${i * 5 + n}`).join(', ')})`);
      const params = batch.flatMap(({ integrity, bytes }) => [integrity, bytes.byteLength, store.id, createdAt, since]);
      await session.query(`insert into blob_index (integrity, size, store_id, created_at, unreferenced_since) values ${rows.join(', ')}`, params);
    }
  } finally {
    await session.release();
  }
}

/** `count` small gzipped package tarballs of random content (1–16 KiB before compression), each its own blob. */
export function randomTarballs(count: number): SeedBlob[] {
  return Array.from({ length: count }, (_, i) => {
    const body = randomBytes(1024 + Math.floor(Math.random() * 15 * 1024)).toString('base64');
    const bytes = makeTarball([
      { path: 'package/package.json', content: JSON.stringify({ name: `spk-bench-gc-${i}`, version: '1.0.0', main: 'index.js' }) },
      { path: 'package/index.js', content: `module.exports = ${JSON.stringify(body)};\n` },
    ]);
    return { integrity: digestTarball(bytes).integrity, bytes };
  });
}
