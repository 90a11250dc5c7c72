// Content-addressed tarball cache, keyed by integrity. Bytes are hashed while they stream to a
// temp file and only a verified file is renamed into place, so a partial or corrupt download
// never counts as cached; a cached file found corrupt later is discarded.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ssri from 'ssri';
import { hexToIntegrity, SHA512_HEX, SpkError } from '@spk/common';
import type { DataLayout } from './data-layout.ts';
import { tempName } from './temp-names.ts';

/** What `fetchBlob` may hand back: the whole tarball, or a stream of it. */
export type BlobSource = Uint8Array | AsyncIterable<Uint8Array>;

export interface BlobRef {
  integrity: string;
  /** `name@version` of (one of) the packages using this blob, for error messages. */
  label: string;
}

export interface BlobCache {
  /** Integrities of every blob present. */
  list(): Promise<Set<string>>;
  /**
   * Streams `source` in, verifying it against `blob.integrity`; nothing lands on a mismatch.
   * Resolves to the verified bytes, so a caller can unpack them without reading the file back.
   */
  store(blob: BlobRef, source: BlobSource): Promise<Buffer>;
  /** Reads a cached blob and re-verifies it; a corrupt one is deleted so the next reconcile refetches it. */
  read(blob: BlobRef): Promise<Buffer>;
}

function toStream(source: BlobSource): Readable {
  // Readable.from would iterate a plain Uint8Array byte by byte; hand it over as one chunk.
  if (source instanceof Uint8Array) return Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]);
  return Readable.from(source);
}

export function integrityMismatch(blob: BlobRef, actual: string, what: string): SpkError {
  return new SpkError(
    'INTEGRITY_MISMATCH',
    `${what} for ${blob.label} does not match its integrity: expected ${blob.integrity}, got ${actual}; it was discarded and will be fetched again on the next reconcile`,
    { package: blob.label, expected: blob.integrity, actual },
  );
}

export function createBlobCache(layout: DataLayout): BlobCache {
  // Not remembered: an operator may delete cache/ while the process runs, and the next store
  // must recreate it rather than fail until a restart.
  const ensureDirs = () => Promise.all([mkdir(layout.blobsDir, { recursive: true }), mkdir(layout.cacheTmpDir, { recursive: true })]);

  return {
    async list() {
      try {
        const names = await readdir(layout.blobsDir);
        return new Set(names.filter((name) => SHA512_HEX.test(name)).map(hexToIntegrity));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
        throw error;
      }
    },

    async store(blob, source) {
      await ensureDirs();
      const temp = path.join(layout.cacheTmpDir, tempName('blob'));
      const hasher = createHash('sha512');
      const kept: Buffer[] = [];
      try {
        await pipeline(
          toStream(source),
          async function* hash(chunks: AsyncIterable<Uint8Array>) {
            for await (const chunk of chunks) {
              // A private copy: the bytes handed back are exactly the ones hashed, whatever the
              // source later does with its buffers.
              const bytes = Buffer.from(chunk);
              hasher.update(bytes);
              kept.push(bytes);
              yield bytes;
            }
          },
          createWriteStream(temp, { flags: 'wx' }),
        );
        const actual = `sha512-${hasher.digest('base64')}`;
        if (!ssri.parse(blob.integrity).match(actual)) throw integrityMismatch(blob, actual, 'the downloaded blob');
        await rename(temp, layout.blobPath(blob.integrity));
        return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async read(blob) {
      const file = layout.blobPath(blob.integrity);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        throw new SpkError('BLOB_MISSING', `the cached blob for ${blob.label} (${blob.integrity}) is missing`, { package: blob.label });
      }
      if (ssri.checkData(bytes, blob.integrity) === false) {
        await rm(file, { force: true });
        throw integrityMismatch(blob, ssri.fromData(bytes, { algorithms: ['sha512'] }).toString(), 'the cached blob');
      }
      return bytes;
    },
  };
}
