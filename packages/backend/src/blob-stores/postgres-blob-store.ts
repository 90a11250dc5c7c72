// The default blob store: tarball bytes in a PostgreSQL (or PGlite) table, so a cluster needs no
// shared disk.
import { eq, inArray, sql } from 'drizzle-orm';
import ssri from 'ssri';
import type { Db } from '../db/database.ts';
import { blobData } from '../db/schema.ts';
import { streamOf, verifyBlob, type BlobStore } from './blob-store.ts';

export const POSTGRES_STORE_ID = 'postgres';
const INTACT_BATCH = 500;

export function createPostgresBlobStore(db: Db): BlobStore {
  async function get(integrity: string): Promise<Uint8Array | null> {
    const [row] = await db.select({ bytes: blobData.bytes }).from(blobData).where(eq(blobData.integrity, integrity));
    return row ? new Uint8Array(row.bytes) : null;
  }
  return {
    id: POSTGRES_STORE_ID,
    async has(integrity) {
      const [row] = await db.select({ integrity: blobData.integrity }).from(blobData).where(eq(blobData.integrity, integrity));
      return Boolean(row);
    },
    async put(integrity, bytes) {
      verifyBlob(integrity, bytes);
      // A row whose bytes differ from these verified ones is damaged: repair it in place.
      const rows = await db
        .insert(blobData)
        .values({ integrity, bytes })
        .onConflictDoUpdate({ target: blobData.integrity, set: { bytes: sql`excluded.bytes` }, setWhere: sql`${blobData.bytes} <> excluded.bytes` })
        .returning({ integrity: blobData.integrity });
      return { written: rows.length > 0 };
    },
    get,
    getStream: async (integrity) => streamOf(await get(integrity)),
    async delete(integrity) {
      const rows = await db.delete(blobData).where(eq(blobData.integrity, integrity)).returning({ integrity: blobData.integrity });
      return rows.length > 0;
    },
    // The database hashes its own copies (sha512 is built into PostgreSQL 11+ and PGlite).
    async intactAmong(entries) {
      const intact = new Set<string>();
      for (let i = 0; i < entries.length; i += INTACT_BATCH) {
        const batch = entries.slice(i, i + INTACT_BATCH);
        const rows = await db
          .select({ integrity: blobData.integrity, size: sql<number>`octet_length(${blobData.bytes})`, hex: sql<string>`encode(sha512(${blobData.bytes}), 'hex')` })
          .from(blobData)
          .where(inArray(blobData.integrity, batch.map((e) => e.integrity)));
        const sizes = new Map(batch.map((e) => [e.integrity, e.size]));
        for (const row of rows) {
          if (Number(row.size) === sizes.get(row.integrity) && ssri.parse(row.integrity, { single: true })?.hexDigest() === row.hex) intact.add(row.integrity);
        }
      }
      return intact;
    },
    async *list() {
      const rows = await db.select({ integrity: blobData.integrity }).from(blobData);
      for (const row of rows) yield row.integrity;
    },
  };
}
