// Many agents pull the same blobs at once after a commit: every request for a blob shares one read
// of it from its blob store (single-flight), and verified blobs stay in a bounded in-memory LRU so
// later requests do not touch the store at all. Only bytes that verified are ever kept; a damaged
// or missing blob is not remembered, so a repair or a later publish is served at once.
import { isSpkError } from '@spk/common';
import type { OpenedBlob } from '../blob-stores/published-blob.ts';
import { describeError } from '../errors/driver-error.ts';
import type { Logger } from '../services.ts';
import { createByteBoundedLru } from './byte-bounded-lru.ts';

export const DEFAULT_BLOB_CACHE_BYTES = 128 * 1024 * 1024;

export interface SharedBlob {
  size: number;
  /**
   * The blob's bytes as they arrive from the store. Like the verifying reader it ends only after
   * the whole blob verified; on a mismatch it throws INTEGRITY_MISMATCH before the last chunk, and
   * a reader arriving after the failure gets it before any byte.
   */
  chunks(): AsyncIterable<Buffer>;
  /** The whole blob once it verified. */
  whole(): Promise<Buffer>;
}

export interface BlobServingCacheOptions {
  /** Bound on the bytes kept in memory (default 128 MiB). */
  maxBytes?: number;
  /** Blobs larger than this are shared while in flight but not kept (default a quarter of `maxBytes`). */
  maxEntryBytes?: number;
}

export interface BlobServingCacheDeps {
  /** Opens the verifying reader of a published blob (one blob-store read); null when it is not there. */
  open(integrity: string): Promise<OpenedBlob | null>;
  logger: Logger;
}

export interface BlobServingCache {
  /** The blob from memory, from the read of it already in flight, or from a new read; null when the store lacks it. */
  open(integrity: string): Promise<SharedBlob | null>;
  /** What is kept now (for tests and diagnostics). */
  held(): { bytes: number; integrities: string[] };
}

function completeBlob(bytes: Buffer): SharedBlob {
  return {
    size: bytes.byteLength,
    async *chunks() {
      yield bytes;
    },
    whole: async () => bytes,
  };
}

/** Reads `opened` through once, keeping its chunks so any number of readers, early or late, replay them. */
function shareRead(opened: OpenedBlob): SharedBlob {
  const chunks: Buffer[] = [];
  let ended = false;
  let failure: { error: unknown } | null = null;
  let wake!: () => void;
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    const wakeReaders = wake;
    changed = new Promise<void>((resolve) => (wake = resolve));
    wakeReaders();
  };
  const whole = (async () => {
    try {
      for await (const chunk of opened.stream) {
        chunks.push(chunk as Buffer);
        notify();
      }
      ended = true;
      return Buffer.concat(chunks);
    } catch (error) {
      failure = { error };
      throw error;
    } finally {
      notify();
    }
  })();
  // Readers that only stream never await `whole`; its failure reaches them through `chunks`.
  whole.catch(() => undefined);
  return {
    size: opened.size,
    async *chunks() {
      for (let next = 0; ; ) {
        if (failure) throw failure.error;
        if (next < chunks.length) yield chunks[next++]!;
        else if (ended) return;
        else await changed;
      }
    },
    whole: () => whole,
  };
}

export function createBlobServingCache(deps: BlobServingCacheDeps, options: BlobServingCacheOptions = {}): BlobServingCache {
  const maxBytes = options.maxBytes ?? DEFAULT_BLOB_CACHE_BYTES;
  const kept = createByteBoundedLru<Buffer>({ maxBytes, maxEntryBytes: options.maxEntryBytes ?? Math.floor(maxBytes / 4) });
  const inFlight = new Map<string, Promise<SharedBlob | null>>();

  async function read(integrity: string): Promise<SharedBlob | null> {
    let opened: OpenedBlob | null;
    try {
      opened = await deps.open(integrity);
    } catch (error) {
      inFlight.delete(integrity);
      throw error;
    }
    if (!opened) {
      inFlight.delete(integrity);
      return null;
    }
    // One line per store read: the fan-out benchmark counts them on a running server.
    deps.logger.debug({ integrity, size: opened.size }, 'blob read from store');
    const shared = shareRead(opened);
    // Keeping and leaving the in-flight map happen in one step, so no request falls between them.
    shared.whole().then(
      (bytes) => {
        kept.set(integrity, bytes, bytes.byteLength);
        inFlight.delete(integrity);
      },
      (error: unknown) => {
        inFlight.delete(integrity);
        // Logged once per read, not once per waiting request.
        const damaged = isSpkError(error, 'INTEGRITY_MISMATCH');
        deps.logger.error({ ...describeError(error), integrity }, damaged ? 'a published blob failed verification while being served' : 'reading a blob to serve it failed');
      },
    );
    return shared;
  }

  return {
    open(integrity) {
      const bytes = kept.get(integrity);
      if (bytes) return Promise.resolve(completeBlob(bytes));
      let flight = inFlight.get(integrity);
      if (!flight) {
        flight = read(integrity);
        inFlight.set(integrity, flight);
      }
      return flight;
    },
    held: () => ({ bytes: kept.bytes(), integrities: kept.keys() }),
  };
}
