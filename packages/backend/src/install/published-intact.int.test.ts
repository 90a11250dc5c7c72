import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import ssri from 'ssri';
import { describe, expect, it } from 'vitest';
import { integrityToHex } from '@spk/common';
import type { BlobStore } from '../blob-stores/blob-store.ts';
import { createFilesystemBlobStore } from '../blob-stores/filesystem-blob-store.ts';
import { createPostgresBlobStore } from '../blob-stores/postgres-blob-store.ts';
import { blobData } from '../db/schema.ts';
import { createTestDatabase, testDrivers } from '../testing/test-database.ts';
import { intactAmong } from './published-intact.ts';

// The installer's one question to the blob store per install: which published copies still hold
// their bytes. The PostgreSQL store answers it in the database; the others are read through.

const blob = (text: string) => {
  const bytes = Buffer.from(text);
  return { bytes, integrity: ssri.fromData(bytes, { algorithms: ['sha512'] }).toString(), size: bytes.length };
};

interface Opened {
  store: BlobStore;
  damage(integrity: string, bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

const stores: Array<[string, () => Promise<Opened>]> = [
  ...testDrivers().map(
    (driver) =>
      [
        `postgres table (${driver})`,
        async (): Promise<Opened> => {
          const t = await createTestDatabase(driver);
          return {
            store: createPostgresBlobStore(t.database.db),
            damage: async (integrity, bytes) => void (await t.database.db.update(blobData).set({ bytes }).where(eq(blobData.integrity, integrity))),
            close: () => t.drop(),
          };
        },
      ] as [string, () => Promise<Opened>],
  ),
  [
    'filesystem',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'spk-intact-'));
      return {
        store: createFilesystemBlobStore(dir),
        damage: (integrity, bytes) => writeFile(path.join(dir, integrityToHex(integrity)), bytes),
        close: () => rm(dir, { recursive: true, force: true }),
      };
    },
  ],
];

describe.each(stores)('which published blobs are intact (%s store)', (_name, open) => {
  it('names the intact ones and leaves out a damaged, a missing and a wrongly sized one', async () => {
    const { store, damage, close } = await open();
    try {
      const [good, damaged, resized, missing] = ['good', 'damaged', 'resized', 'missing'].map((text) => blob(`package ${text}`));
      for (const b of [good!, damaged!, resized!]) await store.put(b.integrity, b.bytes);
      // Same length, one byte flipped: only the hash tells.
      const bad = Buffer.from(damaged!.bytes);
      bad[0] = bad[0]! ^ 0xff;
      await damage(damaged!.integrity, bad);

      const asked = [good!, damaged!, { ...resized!, size: resized!.size + 1 }, missing!].map(({ integrity, size }) => ({ integrity, size }));
      expect(await intactAmong(store, asked, 2)).toEqual(new Set([good!.integrity]));
      expect(await intactAmong(store, [], 2)).toEqual(new Set());
    } finally {
      await close();
    }
  });
});
