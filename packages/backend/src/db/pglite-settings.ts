// How every embedded PGlite database runs. Two settings decide its memory:
// - shared_buffers: PGlite's shared memory is zeroed WebAssembly memory, so the whole buffer pool
//   is resident from the start: at initdb's 128MB it was most of the server's idle RSS (PGlite
//   alone: ~270 MiB at 128MB, ~110 MiB at 16MB). Reads still hit the OS page cache behind it, and
//   PGlite's query protocol, not the pool, bounds blob reads (same speed at 16MB as at 128MB).
// - V8's optimising wasm tier: TurboFan recompiling PostgreSQL's hot functions in the background
//   leaves ~50-90 MiB in malloc arenas that are never given back. Liftoff code alone ran the same
//   queries as fast here (inserts and catalog joins, measured side by side).
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';

export const PGLITE_SHARED_BUFFERS = '16MB';

const BYTEA_OID = 17;

/**
 * bytea as hex through Buffer: PGlite's own codec converts byte by byte in JS, which cost every
 * blob put and read on the embedded default 2.5-6x the time (measured on the medium set's blobs).
 */
export const pgliteByteaCodec = {
  serializers: { [BYTEA_OID]: (value: Uint8Array) => `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}` },
  parsers: { [BYTEA_OID]: (text: string) => Buffer.from(text.slice(2), 'hex') },
};

/** PGlite's own start parameters (single user, no parallel workers) plus ours. */
export function pgliteStartParams(): string[] {
  return [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
}

let liftoffOnly = false;

/**
 * Before the first PGlite compiles its module: V8 reads this flag when it compiles WebAssembly, so
 * it applies to modules compiled from then on (PGlite's, and any other wasm this process loads).
 */
export function useBaselineWasmCompiler(): void {
  if (liftoffOnly) return;
  setFlagsFromString('--liftoff-only');
  liftoffOnly = true;
}
