// How often the core read each blob from its blob store while serving agents. The core logs each
// store read of its blob-serving cache at debug level ("blob read from store", with the integrity);
// the bench runs it with LOG_LEVEL=debug and counts those lines in its output.
import type { SpawnedServer } from '@spk/tools';

export const STORE_READ_MSG = 'blob read from store';

export interface BlobCounters {
  /** Null when the core logged no store read at all (a core without the debug line). */
  storeReads: number | null;
  maxReadsPerBlob: number | null;
}

export function countStoreReads(output: string): BlobCounters {
  const perBlob = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.includes(STORE_READ_MSG)) continue;
    let entry: { msg?: unknown; integrity?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.msg !== STORE_READ_MSG || typeof entry.integrity !== 'string') continue;
    perBlob.set(entry.integrity, (perBlob.get(entry.integrity) ?? 0) + 1);
  }
  if (perBlob.size === 0) return { storeReads: null, maxReadsPerBlob: null };
  const counts = [...perBlob.values()];
  return { storeReads: counts.reduce((a, b) => a + b, 0), maxReadsPerBlob: Math.max(...counts) };
}

export const readBlobCounters = (server: SpawnedServer): BlobCounters => countStoreReads(server.output());
