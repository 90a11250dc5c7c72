import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BLOB_PREFIX, integrityToHex, type InstallState } from '@spk/common';
import { createReconciler } from '@spk/reconciler';
import { createBlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { createFilesystemBlobStore, FILESYSTEM_STORE_ID } from '../blob-stores/filesystem-blob-store.ts';
import { createPostgresBlobStore, POSTGRES_STORE_ID } from '../blob-stores/postgres-blob-store.ts';
import { readPublishedBlob } from '../blob-stores/published-blob.ts';
import { blobData } from '../db/schema.ts';
import { createBlobIndexStore } from '../stores/blob-index-store.ts';
import { createTestBackend, TEST_ADMIN, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';

const PACKAGE = 'spk-fixture-leaf';

const cases = [
  ...testDrivers().map((driver) => [driver, POSTGRES_STORE_ID] as const),
  ['pglite', FILESYSTEM_STORE_ID] as const,
];

describe.each(cases)('a damaged published blob (%s, %s store)', (driver, storeId) => {
  let t: TestBackend;
  let server: Server;
  let base: string;
  let integrity: string;
  let good: Buffer;
  const hostDirs: string[] = [];

  const published = () => {
    const blobStores = createBlobStoreRegistry();
    blobStores.register(createPostgresBlobStore(t.database.db));
    blobStores.register(createFilesystemBlobStore(path.join(t.dataDir, 'blobs')));
    return { blobIndex: createBlobIndexStore(t.database.db), blobStores };
  };

  async function install(): Promise<InstallState> {
    expect((await t.client.install.trigger()).started).toBe(true);
    await t.backend.installer.idle();
    return t.client.install.state();
  }

  /** A host that has nothing cached yet, pulling blobs over HTTP as a satellite does. */
  async function freshHost() {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-fresh-host-'));
    hostDirs.push(dataDir);
    return createReconciler({
      dataDir,
      async fetchBlob(wanted) {
        const response = await fetch(`${base}${BLOB_PREFIX}/${integrityToHex(wanted)}`);
        if (!response.ok) throw new Error(`GET blob answered ${response.status}`);
        return new Uint8Array(await response.arrayBuffer());
      },
    });
  }

  async function damage(): Promise<void> {
    const bad = Buffer.from(good);
    const middle = bad.length >> 1;
    bad[middle] = bad[middle]! ^ 0xff;
    if (storeId === FILESYSTEM_STORE_ID) await writeFile(path.join(t.dataDir, 'blobs', integrityToHex(integrity)), bad);
    else await t.database.db.update(blobData).set({ bytes: bad }).where(eq(blobData.integrity, integrity));
  }

  beforeAll(async () => {
    t = await createTestBackend(driver, { registry: { url: inject('registryUrl') }, defaultStoreId: storeId });
    const [route] = t.backend.httpRoutes.filter((r) => r.prefix === BLOB_PREFIX);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      route!.handle(req, res, { principal: TEST_ADMIN, subpath: url.pathname.slice(BLOB_PREFIX.length) }).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await t.client.packages.add({ name: PACKAGE, range: '1.0.0' });
    const state = await install();
    integrity = state.manifest.find((e) => e.name === PACKAGE)!.integrity;
    good = Buffer.from((await readPublishedBlob(published(), integrity))!);
    await t.backend.host.idle();
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await t?.close();
    await Promise.all(hostDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('is refused by the blob route and by readers, then fetched again and replaced by the next install, after which a host converges', async () => {
    // Damaged before the route ever served it (a copy that verified would be served from memory).
    await damage();

    // The route never sends a body that does not match its name: nothing verified was ready before
    // the failure (the blob is one chunk), so the answer is an error status with the code.
    const refused = await fetch(`${base}${BLOB_PREFIX}/${integrityToHex(integrity)}`);
    expect(refused.status).toBe(500);
    expect(await refused.json()).toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    await expect(readPublishedBlob(published(), integrity)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });

    const desired = await t.client.install.state();
    const host = await freshHost();
    await expect(host.request({ lockfileHash: desired.lockfileHash!, manifest: desired.manifest })).rejects.toThrow();
    expect(await host.currentHash()).toBeNull();

    // Same declared set: the installer finds the stored copy damaged, fetches it again and replaces it.
    const repaired = await install();
    expect(repaired.status).toBe('idle');
    expect(repaired.lockfileHash).toBe(desired.lockfileHash);
    expect(Buffer.from((await readPublishedBlob(published(), integrity))!).equals(good)).toBe(true);
    const served = await fetch(`${base}${BLOB_PREFIX}/${integrityToHex(integrity)}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(good)).toBe(true);

    const result = await host.request({ lockfileHash: repaired.lockfileHash!, manifest: repaired.manifest });
    expect(result.lockfileHash).toBe(repaired.lockfileHash);
    expect(await host.currentHash()).toBe(repaired.lockfileHash);
  });
});
