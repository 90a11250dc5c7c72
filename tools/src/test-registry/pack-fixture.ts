// Packs a fixture folder into the tarball a registry serves (`package/` prefix, gzip), the way
// `npm pack` does but deterministically: the same files always give the same bytes, so a
// fixture's integrity is stable across machines, checkouts and runs.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { create as createTar } from 'tar';
import { digestTarball } from './tarball-digests.ts';

/** A package manifest as read from the fixture's package.json; only name and version are required. */
export interface FixtureManifest {
  name: string;
  version: string;
  [field: string]: unknown;
}

export interface PackedFixture {
  manifest: FixtureManifest;
  tarball: Buffer;
  /** sha512 SRI string, as npm writes to `dist.integrity` and lockfiles. */
  integrity: string;
  /** sha1 hex, the legacy `dist.shasum`. */
  shasum: string;
  size: number;
}

// npm's own fixed pack date: any constant works, a familiar one is easy to recognise in a listing.
const FIXED_MTIME = new Date('1985-10-26T08:15:00.000Z');
const FILE_MODE = 0o644;

export async function packFixture(fixtureDir: string): Promise<PackedFixture> {
  const manifest = await readManifest(fixtureDir);
  const files = await listFilesSorted(fixtureDir);
  const tarball = await createTar(
    {
      cwd: fixtureDir,
      prefix: 'package',
      gzip: true,
      // portable drops uid/gid/uname/atime/ctime and pins the gzip header's OS byte.
      portable: true,
      mtime: FIXED_MTIME,
      // The checkout decides file modes (umask, git's exec bit); pin them so bytes do not depend
      // on it. Installers set bin files executable themselves.
      onWriteEntry: (entry) => {
        if (entry.stat) entry.stat.mode = (entry.stat.mode & ~0o7777) | FILE_MODE;
      },
    },
    files,
  ).concat();
  return { manifest, tarball, ...digestTarball(tarball), size: tarball.length };
}

async function readManifest(fixtureDir: string): Promise<FixtureManifest> {
  const raw: unknown = JSON.parse(await readFile(path.join(fixtureDir, 'package.json'), 'utf8'));
  if (!isManifest(raw)) throw new Error(`${fixtureDir}/package.json needs a string name and version`);
  return raw;
}

function isManifest(value: unknown): value is FixtureManifest {
  if (typeof value !== 'object' || value === null) return false;
  const { name, version } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof version === 'string';
}

// Files only (no directory entries, like npm-packlist), in byte order of their posix path, so the
// archive order never depends on readdir order.
async function listFilesSorted(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    if (!entry.isFile()) throw new Error(`fixture ${root} contains ${entry.name}, which is not a regular file`);
    files.push(path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
