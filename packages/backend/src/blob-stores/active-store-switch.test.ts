import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrityToHex, SpkError, type Manifest } from '@spk/common';
import { silentLogger } from '../services.ts';
import { createActiveStoreSwitch } from './active-store-switch.ts';
import { createBlobStoreRegistry } from './blob-store.ts';
import { createFilesystemBlobStore } from './filesystem-blob-store.ts';

const integrity = (n: number) => `sha512-${Buffer.alloc(64, n).toString('base64')}`;
const entry = (n: number): Manifest[number] => ({
  name: `p${n}`,
  version: '1.0.0',
  path: `node_modules/p${n}`,
  integrity: integrity(n),
  size: 1,
  hasInstallScript: false,
  bin: {},
  dependencies: {},
});

/** The switch's world: a real filesystem store as the target, the settings, state and lock in memory. */
function world(dir: string, options: { manifest?: Manifest; lockBusy?: boolean } = {}) {
  const blobStores = createBlobStoreRegistry();
  blobStores.register({ ...createFilesystemBlobStore(path.join(dir, 'unused')), id: 'postgres' });
  blobStores.register(createFilesystemBlobStore(dir));
  const settings = { active: 'postgres', getActiveStoreId: async () => settings.active, setActiveStoreId: async (id: string) => void (settings.active = id) };
  const lock = { acquired: 0, released: 0 };
  const manifest = options.manifest ?? [];
  const swap = createActiveStoreSwitch({
    settings,
    state: {
      readDesired: async () => (manifest.length > 0 ? { lockfileHash: 'f'.repeat(64), manifest } : null),
    },
    blobStores,
    operations: {
      begin: async (operation) => {
        if (options.lockBusy) throw new SpkError('INSTALL_IN_PROGRESS', `an install is in progress; switch the blob store once it has finished`);
        lock.acquired++;
        return { operation, signal: new AbortController().signal, release: async () => void lock.released++ };
      },
    },
    logger: silentLogger,
  });
  return { swap, settings, lock };
}

describe('switching the active blob store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spk-switch-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('switches when nothing is installed yet, and releases the installer lock', async () => {
    const w = world(dir);
    await w.swap.set('filesystem');
    expect(w.settings.active).toBe('filesystem');
    expect(w.lock).toEqual({ acquired: 1, released: 1 });
  });

  it('refuses a store that lacks blobs of the desired state, saying how many and what to do, and keeps the old one', async () => {
    await writeFile(path.join(dir, integrityToHex(integrity(1))), 'x');
    const w = world(dir, { manifest: [entry(1), entry(2), entry(3), { ...entry(3), path: 'node_modules/a/node_modules/p3' }] });
    await expect(w.swap.set('filesystem')).rejects.toMatchObject({
      code: 'STORE_INCOMPLETE',
      message: expect.stringMatching(/^the "filesystem" blob store lacks 2 of the 3 blobs the desired state needs \(e\.g\. sha512-.*\), so "postgres" stays active; copy the blobs into it first with a storage migration/),
      details: { storeId: 'filesystem', activeStore: 'postgres', missing: 2, needed: 3 },
    });
    expect(w.settings.active).toBe('postgres');
    expect(w.lock).toEqual({ acquired: 1, released: 1 });
  });

  it('switches once the target holds every blob of the desired state', async () => {
    await writeFile(path.join(dir, integrityToHex(integrity(2))), 'x');
    const w = world(dir, { manifest: [entry(1), entry(2)] });
    await w.swap.set('filesystem');
    expect(w.settings.active).toBe('filesystem');
  });

  it('refuses while another operation holds the installer lock, and keeps the old store', async () => {
    for (const options of [{ lockBusy: true }]) {
      const w = world(dir, options);
      await expect(w.swap.set('filesystem')).rejects.toMatchObject({ code: 'INSTALL_IN_PROGRESS', message: expect.stringMatching(/switch the blob store once it has finished/) });
      expect(w.settings.active).toBe('postgres');
      expect(w.lock.acquired).toBe(w.lock.released);
    }
  });

  it('refuses an unknown store, naming the known ones, before taking the lock', async () => {
    const w = world(dir);
    await expect(w.swap.set('s3')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('known stores: postgres, filesystem') });
    expect(w.lock.acquired).toBe(0);
  });
});
