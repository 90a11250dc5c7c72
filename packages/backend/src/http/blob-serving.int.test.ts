import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import ssri from 'ssri';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BLOB_PREFIX, integrityToHex } from '@spk/common';
import { craftPackage, publishPackage, startLoopbackServer, type LoopbackServer } from '@spk/tools';
import { createBlobStoreRegistry, type BlobStore } from '../blob-stores/blob-store.ts';
import { createFilesystemBlobStore, FILESYSTEM_STORE_ID } from '../blob-stores/filesystem-blob-store.ts';
import { createPostgresBlobStore, POSTGRES_STORE_ID } from '../blob-stores/postgres-blob-store.ts';
import { blobData } from '../db/schema.ts';
import { createBlobIndexStore } from '../stores/blob-index-store.ts';
import { createTestBackend, TEST_ADMIN, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';
import { createBlobRoute } from './blob-route.ts';

const cases = [['pglite', FILESYSTEM_STORE_ID] as const, ...testDrivers().map((driver) => [driver, POSTGRES_STORE_ID] as const)];

/** A package whose tarball is `bytes` of random (incompressible) content, so it streams in many chunks. */
function randomPackage(label: string, bytes: number) {
  const name = `spk-blob-serving-${label}-${randomBytes(4).toString('hex')}`;
  return craftPackage({ name, version: '1.0.0', main: 'index.js' }, [
    { path: 'package/index.js', content: `module.exports = ${JSON.stringify(name)};` },
    { path: 'package/noise.bin', content: randomBytes(bytes) },
  ]);
}

describe.each(cases)('GET /blobs for many agents (%s, %s store)', (driver, storeId) => {
  const big = randomPackage('big', 1024 * 1024);
  const fragile = randomPackage('fragile', 256 * 1024);
  let t: TestBackend;
  let server: LoopbackServer;
  /** Blob-store reads per integrity: the real stores, counted where the route opens them. */
  const reads = new Map<string, number>();

  const counted = (store: BlobStore): BlobStore => ({
    ...store,
    getStream(integrity) {
      reads.set(integrity, (reads.get(integrity) ?? 0) + 1);
      return store.getStream(integrity);
    },
  });
  const url = (integrity: string) => `${server.url}${BLOB_PREFIX}/${integrityToHex(integrity)}`;
  /** How a request for a damaged blob ended: an error status, a transfer cut short, or (never) the whole body. */
  async function outcomeOf(integrity: string): Promise<'refused' | 'cut' | 'complete'> {
    const response = await fetch(url(integrity));
    if (response.status === 500) {
      expect(await response.json()).toMatchObject({ code: 'INTEGRITY_MISMATCH' });
      return 'refused';
    }
    expect(response.status).toBe(200);
    return response.arrayBuffer().then(
      () => 'complete' as const,
      () => 'cut' as const,
    );
  }
  const install = async () => {
    expect((await t.client.install.trigger()).started).toBe(true);
    await t.backend.installer.idle();
    expect((await t.client.install.state()).status).toBe('idle');
  };

  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl') }, defaultStoreId: storeId });
    await Promise.all([publishPackage(inject('registryUrl'), big), publishPackage(inject('registryUrl'), fragile)]);
    const blobStores = createBlobStoreRegistry();
    blobStores.register(counted(createPostgresBlobStore(t.database.db)));
    blobStores.register(counted(createFilesystemBlobStore(path.join(t.dataDir, 'blobs'))));
    const route = createBlobRoute({ blobIndex: createBlobIndexStore(t.database.db), blobStores });
    server = await startLoopbackServer((req, res) => {
      const { pathname } = new URL(req.url ?? '/', 'http://localhost');
      route.handle(req, res, { principal: TEST_ADMIN, subpath: pathname.slice(BLOB_PREFIX.length) }).catch(() => res.destroy());
    });
    await t.client.packages.add({ name: big.manifest.name, range: '1.0.0' });
    await t.client.packages.add({ name: fragile.manifest.name, range: '1.0.0' });
    await install();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('reads a blob from its store once for 50 concurrent requests and serves later ones from memory', async () => {
    const fetchAll = async (count: number) =>
      Promise.all(
        Array.from({ length: count }, async () => {
          const response = await fetch(url(big.integrity));
          expect(response.status).toBe(200);
          expect(response.headers.get('accept-ranges')).toBe('bytes');
          expect(response.headers.get('etag')).toBe(`"${integrityToHex(big.integrity)}"`);
          return Buffer.from(await response.arrayBuffer());
        }),
      );
    for (const body of await fetchAll(50)) expect(body.equals(big.tarball)).toBe(true);
    expect(reads.get(big.integrity)).toBe(1);
    for (const body of await fetchAll(5)) expect(body.equals(big.tarball)).toBe(true);
    expect(reads.get(big.integrity)).toBe(1);
  });

  it('answers 304 with no body when If-None-Match names the blob (in a list, weakly, or *)', async () => {
    const tag = `"${integrityToHex(big.integrity)}"`;
    for (const ifNoneMatch of [tag, `"other", W/${tag}`, '*']) {
      const response = await fetch(url(big.integrity), { headers: { 'if-none-match': ifNoneMatch } });
      expect(response.status).toBe(304);
      expect(response.headers.get('etag')).toBe(tag);
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    }
    expect((await fetch(url(big.integrity), { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('resumes an interrupted pull with a Range request, and the joined bytes verify', async () => {
    const abort = new AbortController();
    const first = await fetch(url(big.integrity), { signal: abort.signal });
    const reader = first.body!.getReader();
    const received: Buffer[] = [];
    for (let got = 0; got < 100 * 1024; ) {
      const { value } = await reader.read();
      received.push(Buffer.from(value!));
      got += value!.byteLength;
    }
    abort.abort();
    const partial = Buffer.concat(received).subarray(0, 100 * 1024);
    expect(partial.byteLength).toBeLessThan(big.size);

    const rest = await fetch(url(big.integrity), { headers: { range: `bytes=${partial.byteLength}-`, 'if-range': first.headers.get('etag')! } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes ${partial.byteLength}-${big.size - 1}/${big.size}`);
    const joined = Buffer.concat([partial, Buffer.from(await rest.arrayBuffer())]);
    expect(ssri.checkData(joined, big.integrity)).toBeTruthy();

    const tail = await fetch(url(big.integrity), { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(big.tarball.subarray(big.size - 10))).toBe(true);
    // A stale If-Range, or several ranges, get the whole blob.
    for (const headers of [{ range: 'bytes=10-', 'if-range': '"other"' }, { range: 'bytes=0-1,5-6' }] as Array<Record<string, string>>) {
      const whole = await fetch(url(big.integrity), { headers });
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(big.tarball)).toBe(true);
    }
    expect(reads.get(big.integrity)).toBe(1);
  });

  it('answers 416 with the size to a range past the end', async () => {
    const response = await fetch(url(big.integrity), { headers: { range: `bytes=${big.size}-` } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${big.size}`);
  });

  it('refuses a damaged blob to every request, keeps nothing of it, and serves it once an install repaired it', async () => {
    const bad = Buffer.from(fragile.tarball);
    const middle = bad.length >> 1;
    bad[middle] = bad[middle]! ^ 0xff;
    if (storeId === FILESYSTEM_STORE_ID) await writeFile(path.join(t.dataDir, 'blobs', integrityToHex(fragile.integrity)), bad);
    else await t.database.db.update(blobData).set({ bytes: bad }).where(eq(blobData.integrity, fragile.integrity));

    // Every request is refused: before any byte with the error's code when the failure came first
    // (always so for a blob that arrives in one chunk), else cut short; none ever gets it complete.
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => outcomeOf(fragile.integrity)));
    if (storeId === POSTGRES_STORE_ID) expect(outcomes).toEqual(Array(10).fill('refused'));
    else expect(outcomes).not.toContain('complete');
    // Nothing of it was kept: the next request reads the store again.
    const readsBefore = reads.get(fragile.integrity)!;
    expect(await outcomeOf(fragile.integrity)).not.toBe('complete');
    expect(reads.get(fragile.integrity)).toBe(readsBefore + 1);

    await install();
    const repaired = await fetch(url(fragile.integrity));
    expect(repaired.status).toBe(200);
    expect(Buffer.from(await repaired.arrayBuffer()).equals(fragile.tarball)).toBe(true);
  });
});
