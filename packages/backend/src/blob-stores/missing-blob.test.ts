import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { integrityToHex } from '@spk/common';
import { createBlobStoreRegistry } from './blob-store.ts';
import { createFilesystemBlobStore } from './filesystem-blob-store.ts';
import { missingBlobError } from './missing-blob.ts';

const integrity = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;

function deps(indexedIn: string | null) {
  const blobStores = createBlobStoreRegistry();
  blobStores.register(createFilesystemBlobStore('/srv/spk/blobs'));
  blobStores.register({ ...createFilesystemBlobStore('/elsewhere'), id: 'plain', locate: undefined });
  const entry = indexedIn ? { integrity, size: 1, storeId: indexedIn, createdAt: new Date() } : null;
  return { blobIndex: { get: async () => entry }, blobStores };
}

describe('the BLOB_MISSING message', () => {
  it('names the filesystem store, the exact file it tried and the shared-volume requirement', async () => {
    const error = await missingBlobError(deps('filesystem'), integrity);
    const file = path.join('/srv/spk/blobs', integrityToHex(integrity));
    expect(error).toMatchObject({ code: 'BLOB_MISSING', details: { integrity, storeId: 'filesystem', location: file } });
    expect(error.message).toBe(
      `blob ${integrity} is indexed in the "filesystem" blob store, but this core instance cannot find it there at ${file}; ` +
        'every core instance must read the same blob directory (SPK_BLOB_DIR, here /srv/spk/blobs): with several instances, mount one shared volume there on each ' +
        '(docs/operations.md, "Blob stores"); if the file was deleted, trigger an install, which fetches it from the registry again',
    );
  });

  it('names the store and suggests an install for a store that cannot say where it looked', async () => {
    const error = await missingBlobError(deps('plain'), integrity);
    expect(error.message).toBe(
      `blob ${integrity} is indexed in the "plain" blob store, but this core instance cannot find it there; trigger an install, which fetches missing or damaged blobs from the registry again`,
    );
  });

  it('says when the blob index does not list the blob at all', async () => {
    const error = await missingBlobError(deps(null), integrity);
    expect(error.message).toBe(`no blob ${integrity} is published (the blob index does not list it); trigger an install, which publishes every blob its manifest needs`);
  });
});
