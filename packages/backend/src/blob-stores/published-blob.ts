// The one way to read a published blob (host, blob route, installer; GC and migration next): find
// it through the blob index (the installer already holds its entries), read it from the store that
// holds it, and verify the bytes against their name, so stored bytes that rotted or were tampered
// with are never served or used.
import { createHash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import ssri from 'ssri';
import { isSpkError, SpkError } from '@spk/common';
import type { BlobIndexStore } from '../stores/blob-index-store.ts';
import type { BlobStore, BlobStoreRegistry } from './blob-store.ts';

export interface PublishedBlobDeps {
  blobIndex: Pick<BlobIndexStore, 'get'>;
  blobStores: BlobStoreRegistry;
}

export interface OpenedBlob {
  size: number;
  /** Ends only if the bytes match: on a mismatch it errors with INTEGRITY_MISMATCH before its last chunk. */
  stream: Readable;
}

function damaged(integrity: string, storeId: string): SpkError {
  return new SpkError(
    'INTEGRITY_MISMATCH',
    `the published blob ${integrity} in the "${storeId}" blob store is damaged (its bytes do not match their integrity), so it is not served; ` +
      'trigger an install: it fetches the blob from the registry again and replaces the damaged copy',
    { integrity, storeId },
  );
}

/**
 * Hashes and counts while passing bytes on, always holding the latest chunk back: a reader sees
 * the end of the blob only after the whole of it verified, so a damaged blob can never arrive
 * complete (an HTTP response with its content-length is cut short instead).
 */
function verifying(integrity: string, size: number, storeId: string): Transform {
  const expected = ssri.parse(integrity, { single: true })?.digest;
  const hash = createHash('sha512');
  let seen = 0;
  let held: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength;
      if (seen > size) return done(damaged(integrity, storeId));
      hash.update(chunk);
      const previous = held;
      held = chunk;
      done(null, previous ?? undefined);
    },
    flush(done) {
      if (seen !== size || hash.digest('base64') !== expected) return done(damaged(integrity, storeId));
      done(null, held ?? undefined);
    },
  });
}

/** `store`'s copy as a verifying stream, or null when the store lacks it. */
async function openVerified(store: BlobStore, integrity: string, size: number): Promise<Readable | null> {
  const source = await store.getStream(integrity);
  if (!source) return null;
  // pipeline, not pipe: a failure on either side destroys both, so no store handle is left open.
  return pipeline(source, verifying(integrity, size, store.id), () => undefined);
}

/** The published blob as a verifying stream, or null when it is not published (not indexed, or gone from its store). */
export async function openPublishedBlob(deps: PublishedBlobDeps, integrity: string): Promise<OpenedBlob | null> {
  const entry = await deps.blobIndex.get(integrity);
  if (!entry) return null;
  const stream = await openVerified(deps.blobStores.get(entry.storeId), integrity, entry.size);
  return stream && { size: entry.size, stream };
}

/** The whole published blob, verified; null when it is not published; INTEGRITY_MISMATCH when its stored bytes are damaged. */
export async function readPublishedBlob(deps: PublishedBlobDeps, integrity: string): Promise<Uint8Array | null> {
  const opened = await openPublishedBlob(deps, integrity);
  if (!opened) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Whether `store` holds the blob indexed there with `size` bytes, intact, reading it through without
 * keeping it. The caller passes the index entry it already read, so no index lookup is repeated.
 */
export async function isStoredBlobIntact(store: BlobStore, integrity: string, size: number): Promise<boolean> {
  const stream = await openVerified(store, integrity, size);
  if (!stream) return false;
  try {
    await finished(stream.resume());
    return true;
  } catch (error) {
    if (isSpkError(error, 'INTEGRITY_MISMATCH')) return false;
    throw error;
  }
}
