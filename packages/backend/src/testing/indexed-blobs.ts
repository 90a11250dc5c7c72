// Tests that commit hand-made manifests index their blobs first, as an installer's publish step
// does: a commit refuses a manifest with blobs the index lacks.
import type { Manifest } from '@spk/common';
import type { Db } from '../db/database.ts';
import { blobIndex } from '../db/schema.ts';

export async function indexManifestBlobs(db: Db, manifest: Manifest, storeId = 'postgres'): Promise<void> {
  const rows = [...new Map(manifest.map((entry) => [entry.integrity, { integrity: entry.integrity, size: entry.size, storeId }])).values()];
  if (rows.length > 0) await db.insert(blobIndex).values(rows).onConflictDoNothing({ target: blobIndex.integrity });
}
