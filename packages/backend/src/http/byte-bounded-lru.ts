// A least-recently-used map bounded by the bytes of its values, for the blob-serving cache: the
// total stays under `maxBytes`, and a value over `maxEntryBytes` is never kept (one huge blob must
// not flush every small one).

export interface ByteBoundedLru<V> {
  /** The value, marked as just used. */
  get(key: string): V | undefined;
  /** Keeps `value` unless it is over the entry bound, evicting the least recently used to fit; says whether it was kept. */
  set(key: string, value: V, bytes: number): boolean;
  delete(key: string): void;
  /** Total bytes held. */
  bytes(): number;
  keys(): string[];
}

export function createByteBoundedLru<V>(limits: { maxBytes: number; maxEntryBytes: number }): ByteBoundedLru<V> {
  // A Map iterates in insertion order, so re-inserting on use keeps the least recent first.
  const entries = new Map<string, { value: V; bytes: number }>();
  let total = 0;

  function remove(key: string): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    total -= entry.bytes;
  }

  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, bytes) {
      remove(key);
      if (bytes > limits.maxEntryBytes || bytes > limits.maxBytes) return false;
      for (const [oldest] of entries) {
        if (total + bytes <= limits.maxBytes) break;
        remove(oldest);
      }
      entries.set(key, { value, bytes });
      total += bytes;
      return true;
    },
    delete: remove,
    bytes: () => total,
    keys: () => [...entries.keys()],
  };
}
