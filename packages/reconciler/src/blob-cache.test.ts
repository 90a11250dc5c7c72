import { readdir, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { createBlobCache } from './blob-cache.ts';
import { dataLayout } from './data-layout.ts';
import { integrityOf } from './test-support/tarball.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';

const tempDir = useTempDirs();
const bytes = Buffer.from('pretend this is a tarball '.repeat(1000));
const integrity = integrityOf(bytes);
const blob = { integrity, label: 'pkg@1.2.3' };

describe('blob cache', () => {
  it.each([
    ['a Uint8Array', () => new Uint8Array(bytes)],
    ['a Node Readable', () => Readable.from([bytes.subarray(0, 100), bytes.subarray(100)])],
    ['an async iterable', () => (async function* () { yield bytes.subarray(0, 7); yield bytes.subarray(7); })()],
  ])('stores a verified blob from %s', async (_, source) => {
    const layout = dataLayout(await tempDir());
    const cache = createBlobCache(layout);
    expect(Buffer.compare(await cache.store(blob, source()), bytes)).toBe(0);
    expect(await cache.list()).toEqual(new Set([integrity]));
    expect(Buffer.compare(await cache.read(blob), bytes)).toBe(0);
    expect(await readdir(layout.cacheTmpDir)).toEqual([]);
  });

  it('hands back its own copy of the bytes it verified, which later changes to the source cannot reach', async () => {
    const cache = createBlobCache(dataLayout(await tempDir()));
    const source = Buffer.from(bytes);
    const verified = await cache.store(blob, source);
    source.fill(0);
    expect(Buffer.compare(verified, bytes)).toBe(0);
  });

  it('refuses bytes that do not match the integrity, naming the package and expected integrity, and stores nothing', async () => {
    const layout = dataLayout(await tempDir());
    const cache = createBlobCache(layout);
    const error = await cache.store(blob, Buffer.from('tampered')).catch((e: unknown) => e);
    expect(isSpkError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('pkg@1.2.3');
    expect((error as Error).message).toContain(integrity);
    expect(await cache.list()).toEqual(new Set());
    expect(await readdir(layout.blobsDir)).toEqual([]);
    expect(await readdir(layout.cacheTmpDir)).toEqual([]);
  });

  it('discards a partial download when the source fails midway', async () => {
    const layout = dataLayout(await tempDir());
    const cache = createBlobCache(layout);
    const failing = (async function* () {
      yield bytes.subarray(0, 10);
      throw new Error('connection reset');
    })();
    await expect(cache.store(blob, failing)).rejects.toThrow('connection reset');
    expect(await readdir(layout.blobsDir)).toEqual([]);
    expect(await readdir(layout.cacheTmpDir)).toEqual([]);
  });

  it('discards a cached blob found corrupt on read', async () => {
    const layout = dataLayout(await tempDir());
    const cache = createBlobCache(layout);
    await cache.store(blob, bytes);
    await writeFile(layout.blobPath(integrity), 'bit rot');
    const error = await cache.read(blob).catch((e: unknown) => e);
    expect(isSpkError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('the cached blob for pkg@1.2.3');
    expect(await cache.list()).toEqual(new Set());
  });
});
