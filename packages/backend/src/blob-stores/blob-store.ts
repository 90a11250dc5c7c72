// The pluggable blob store interface and the registry stores register with. Blobs are package
// tarballs keyed by their sha512 SRI integrity; a store refuses bytes that do not match.
import { Readable } from 'node:stream';
import ssri from 'ssri';
import { SpkError } from '@spk/common';

export interface BlobStore {
  readonly id: string;
  has(integrity: string): Promise<boolean>;
  /** Verifies `bytes` against `integrity`; a blob already present intact is not rewritten, a damaged copy is replaced. */
  put(integrity: string, bytes: Uint8Array): Promise<{ written: boolean }>;
  get(integrity: string): Promise<Uint8Array | null>;
  getStream(integrity: string): Promise<Readable | null>;
  delete(integrity: string): Promise<boolean>;
  list(): AsyncIterable<string>;
  /**
   * Which of these blobs the store holds with that many bytes matching their integrity, checked
   * where the bytes are (no copy travels); stores without it are read through (published-blob.ts).
   */
  intactAmong?(entries: ReadonlyArray<{ integrity: string; size: number }>): Promise<Set<string>>;
  /**
   * Where this store keeps a blob (a file path, never a credential) and what to do when a host
   * cannot read it there, for BLOB_MISSING messages. Stores without one get generic advice.
   */
  locate?(integrity: string): { location: string; advice: string };
}

/** Throws INTEGRITY_MISMATCH unless `bytes` hash to the sha512 `integrity`. */
export function verifyBlob(integrity: string, bytes: Uint8Array, label = 'blob'): void {
  const parsed = ssri.parse(integrity, { single: true });
  if (!parsed || parsed.algorithm !== 'sha512') {
    throw new SpkError('INTEGRITY_MISMATCH', `${label}: "${integrity}" is not a sha512 integrity; only sha512 is accepted`, { integrity });
  }
  if (!ssri.checkData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), parsed)) {
    throw new SpkError('INTEGRITY_MISMATCH', `${label}: its bytes do not match the expected integrity ${integrity}; refusing to store or use it`, {
      integrity,
    });
  }
}

export function streamOf(bytes: Uint8Array | null): Readable | null {
  return bytes ? Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]) : null;
}

export interface BlobStoreRegistry {
  register(store: BlobStore): void;
  get(id: string): BlobStore;
  ids(): string[];
}

export function createBlobStoreRegistry(): BlobStoreRegistry {
  const stores = new Map<string, BlobStore>();
  return {
    register(store) {
      if (stores.has(store.id)) throw new Error(`a blob store with id "${store.id}" is already registered`);
      stores.set(store.id, store);
    },
    get(id) {
      const store = stores.get(id);
      if (!store) {
        throw new SpkError('NOT_FOUND', `no blob store "${id}" is registered; known stores: ${[...stores.keys()].join(', ')}`, { storeId: id });
      }
      return store;
    },
    ids: () => [...stores.keys()],
  };
}
