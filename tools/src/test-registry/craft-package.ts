// Builds a package tarball entry by entry from raw tar headers, for tests that need what `npm pack`
// never produces (a ".." path, a symlink out of the package, a device): published like any fixture
// with publishPackage, so the installer meets it through a real registry.
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import type { FixtureManifest, PackedFixture } from './pack-fixture.ts';
import { digestTarball } from './tarball-digests.ts';

export interface CraftedEntry {
  /** The raw path in the archive, top folder included (`package/...`). */
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  content?: string;
  linkpath?: string;
}

const BLOCK = 512;
const FIXED_MTIME = new Date('1985-10-26T08:15:00.000Z');

function encodeEntries(entries: readonly CraftedEntry[]): Buffer {
  const chunks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'File';
    const body = type === 'File' ? Buffer.from(entry.content ?? '') : Buffer.alloc(0);
    const header = new Header({
      path: entry.path,
      type,
      mode: type === 'Directory' ? 0o755 : 0o644,
      size: body.length,
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

/** A package whose tarball holds `package/package.json` (the manifest) followed by `entries`, verbatim. */
export function craftPackage(manifest: FixtureManifest, entries: readonly CraftedEntry[]): PackedFixture {
  const tarball = encodeEntries([{ path: 'package/package.json', content: JSON.stringify(manifest) }, ...entries]);
  return { manifest, tarball, ...digestTarball(tarball), size: tarball.length };
}
