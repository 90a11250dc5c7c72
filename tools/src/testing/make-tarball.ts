// Builds gzipped tarballs in memory from raw tar headers, for tests that need what `npm pack`
// never produces (absolute paths, "..", links out of the package, devices, lying sizes). The one
// builder behind craftPackage (published fixtures) and the reconciler's extraction tests.
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export interface TarEntrySpec {
  /** The raw path in the archive, top folder included (`package/...`). */
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  content?: string | Uint8Array;
  linkpath?: string;
  mode?: number;
  /** Declared size, when a test wants a header that lies about it. */
  size?: number;
}

const BLOCK = 512;
// Fixed, so the same entries always make the same bytes (and the same integrity).
const FIXED_MTIME = new Date('1985-10-26T08:15:00.000Z');

/** The entries in order, verbatim: nothing is normalised or checked. */
export function makeTarball(entries: readonly TarEntrySpec[]): Buffer {
  const chunks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'File';
    const body = type === 'File' ? Buffer.from(entry.content ?? '') : Buffer.alloc(0);
    const header = new Header({
      path: entry.path,
      type,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      size: entry.size ?? body.length,
      linkpath: entry.linkpath ?? '',
      mtime: FIXED_MTIME,
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(BLOCK);
    header.encode(block, 0);
    chunks.push(block, body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(chunks));
}
