// Builds package tarballs in memory for tests, including ones `npm pack` would never produce
// (absolute paths, "..", links out, devices), by encoding raw headers with tar's Header.
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import ssri from 'ssri';

export interface TarEntrySpec {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  content?: string | Uint8Array;
  linkpath?: string;
  mode?: number;
  /** Declared size, when a test wants a header that lies about it. */
  size?: number;
}

const BLOCK = 512;

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
      mtime: new Date(499162500000),
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

/** A regular package tarball: every file under `top/` (npm uses `package/`). */
export function packageTarball(files: Record<string, string>, top = 'package'): Buffer {
  return makeTarball(Object.entries(files).map(([file, content]) => ({ path: `${top}/${file}`, content })));
}

export function integrityOf(bytes: Uint8Array): string {
  return ssri.fromData(Buffer.from(bytes), { algorithms: ['sha512'] }).toString();
}
