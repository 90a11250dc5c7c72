// The BLOB_MISSING error for a blob the desired state needs but this instance cannot read: it
// says whether the index lacks it or the store does, which store, and where that store looked,
// so "a second instance has its own empty blob directory" is visible from the message alone.
import { SpkError } from '@spk/common';
import type { PublishedBlobDeps } from './published-blob.ts';

const REINSTALL = 'trigger an install, which fetches missing or damaged blobs from the registry again';

export async function missingBlobError(deps: PublishedBlobDeps, integrity: string): Promise<SpkError> {
  const entry = await deps.blobIndex.get(integrity);
  if (!entry) {
    return new SpkError(
      'BLOB_MISSING',
      `no blob ${integrity} is published (the blob index does not list it); trigger an install, which publishes every blob its manifest needs`,
      { integrity },
    );
  }
  const located = deps.blobStores.get(entry.storeId).locate?.(integrity);
  const where = located ? ` at ${located.location}` : '';
  return new SpkError(
    'BLOB_MISSING',
    `blob ${integrity} is indexed in the "${entry.storeId}" blob store, but this core instance cannot find it there${where}; ${located?.advice ?? REINSTALL}`,
    { integrity, storeId: entry.storeId, ...(located ? { location: located.location } : {}) },
  );
}
