import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ssri from 'ssri';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { integrityToHex, isSpkError } from '@spk/common';
import { blobData } from '../db/schema.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import type { BlobStore } from './blob-store.ts';
import { createFilesystemBlobStore } from './filesystem-blob-store.ts';
import { createPostgresBlobStore } from './postgres-blob-store.ts';

const blob = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { bytes, integrity: ssri.fromData(Buffer.from(bytes), { algorithms: ['sha512'] }).toString() };
};

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out.sort();
}

interface OpenedStore {
  store: BlobStore;
  close(): Promise<void>;
  dir?: string;
  /** Overwrites the stored bytes behind the store's back, as disk rot or tampering would. */
  damage(integrity: string, bytes: Uint8Array): Promise<void>;
}

const stores: Array<[string, () => Promise<OpenedStore>]> = [
  [
    'filesystem',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'spk-fs-store-'));
      const blobs = path.join(dir, 'blobs');
      return {
        store: createFilesystemBlobStore(blobs),
        dir: blobs,
        close: () => rm(dir, { recursive: true, force: true }),
        damage: (integrity, bytes) => writeFile(path.join(blobs, integrityToHex(integrity)), bytes),
      };
    },
  ],
  ...testDrivers().map(
    (driver) =>
      [
        `postgres table (${driver})`,
        async () => {
          const t: TestDatabase = await createTestDatabase(driver);
          return {
            store: createPostgresBlobStore(t.database.db),
            close: () => t.drop(),
            damage: async (integrity, bytes) => {
              await t.database.db.update(blobData).set({ bytes }).where(eq(blobData.integrity, integrity));
            },
          };
        },
      ] as [string, () => Promise<OpenedStore>],
  ),
];

describe.each(stores)('blob store: %s', (_name, open) => {
  let ctx: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    ctx = await open();
  });
  afterAll(() => ctx?.close());

  it('stores verified bytes once and reads them back', async () => {
    const a = blob('package a');
    expect(await ctx.store.has(a.integrity)).toBe(false);
    expect(await ctx.store.put(a.integrity, a.bytes)).toEqual({ written: true });
    expect(await ctx.store.put(a.integrity, a.bytes)).toEqual({ written: false });
    expect(await ctx.store.has(a.integrity)).toBe(true);
    expect(Buffer.from((await ctx.store.get(a.integrity))!).toString()).toBe('package a');
    const chunks: Buffer[] = [];
    for await (const chunk of (await ctx.store.getStream(a.integrity))!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('package a');
  });

  it('refuses bytes that do not match their integrity and stores nothing', async () => {
    const good = blob('the real bytes');
    const before = await collect(ctx.store.list());
    let error: unknown;
    try {
      await ctx.store.put(good.integrity, new TextEncoder().encode('tampered bytes'));
    } catch (e) {
      error = e;
    }
    expect(isSpkError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect(await ctx.store.has(good.integrity)).toBe(false);
    expect(await collect(ctx.store.list())).toEqual(before);
    if (ctx.dir) expect((await readdir(ctx.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces a damaged copy when the verified bytes are put again, and leaves an intact one alone', async () => {
    const c = blob('package c');
    await ctx.store.put(c.integrity, c.bytes);
    await ctx.damage(c.integrity, new TextEncoder().encode('package c, damaged'));
    expect(await ctx.store.put(c.integrity, c.bytes)).toEqual({ written: true });
    expect(Buffer.from((await ctx.store.get(c.integrity))!).toString()).toBe('package c');
    expect(await ctx.store.put(c.integrity, c.bytes)).toEqual({ written: false });
  });

  it('lists and deletes by integrity', async () => {
    const b = blob('package b');
    await ctx.store.put(b.integrity, b.bytes);
    expect(await collect(ctx.store.list())).toContain(b.integrity);
    expect(await ctx.store.delete(b.integrity)).toBe(true);
    expect(await ctx.store.delete(b.integrity)).toBe(false);
    expect(await ctx.store.get(b.integrity)).toBeNull();
    expect(await ctx.store.getStream(b.integrity)).toBeNull();
  });
});
