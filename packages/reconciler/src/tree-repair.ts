// fsck for trees. A tree whose manifest is known is compared with its plan, built from the
// verified tarballs rather than from the (possibly damaged) store; any other tree is scanned
// for hard links to store files found damaged. Repairs happen in place, one path at a time by
// temp + rename, so the tree stays complete throughout: `current` and the runs pinned to it
// keep working while it is repaired.
import { chmod, copyFile, link, lstat, mkdir, rename, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '@spk/common';
import { diffContents, type Difference } from './contents-diff.ts';
import { inodeKey, readDiskEntries, type DiskEntries } from './disk-entries.ts';
import type { PackageListing } from './extracted-store.ts';
import { TREE_DIR_MODE } from './materialize-tree.ts';
import { READ_ONLY_EXECUTABLE } from './safe-extract.ts';
import { removeSealed } from './sealed-dirs.ts';
import type { ExpectedEntry, PackageContents } from './tarball-contents.ts';
import { tempName } from './temp-names.ts';
import { planTree, type TreeLayout } from './tree-plan.ts';
import { TREE_MARKER } from './tree-state.ts';

/** A tree path's expected entry; files say which store file they link (or copy, below a scripted package). */
export type TreeEntry = ExpectedEntry & { source?: { integrity: string; from: string; copy?: boolean } };

export interface TreeSources {
  contents(integrity: string): PackageContents;
  storeDir(integrity: string): string;
  /** The inode of a store file verified sound, if it is; a tree file linking it needs no hashing. */
  soundInode(integrity: string, from: string): string | undefined;
}

function listingFromContents(contents: PackageContents): PackageListing {
  const listing: PackageListing = { dirs: [], files: [], symlinks: [] };
  for (const [rel, entry] of contents) {
    if (rel === '') continue;
    if (entry.kind === 'dir') listing.dirs.push(rel);
    else if (entry.kind === 'file') listing.files.push(rel);
    else listing.symlinks.push({ path: rel, target: entry.target });
  }
  listing.dirs.sort((a, b) => a.split('/').length - b.split('/').length);
  return listing;
}

export function expectedTree(options: { manifest: Manifest; treeLayout: TreeLayout; treeDir: string; sources: TreeSources }): Map<string, TreeEntry> {
  const { manifest, treeLayout, treeDir, sources } = options;
  const listings = new Map(manifest.map((entry) => [entry.integrity, listingFromContents(sources.contents(entry.integrity))]));
  const plan = planTree(manifest, listings, treeLayout);
  const expected = new Map<string, TreeEntry>([['', { kind: 'dir' }]]);
  for (const dir of plan.dirs) expected.set(dir, { kind: 'dir' });
  for (const file of plan.files) {
    const entry = sources.contents(file.integrity).get(file.from) as Extract<ExpectedEntry, { kind: 'file' }>;
    expected.set(file.to, { ...entry, source: { integrity: file.integrity, from: file.from, ...(file.copy ? { copy: true } : {}) } });
  }
  for (const link of plan.symlinks) expected.set(link.path, { kind: 'symlink', target: link.target });
  for (const link of plan.packageLinks) {
    const target = path.relative(path.dirname(path.join(treeDir, link.path)), sources.storeDir(link.integrity));
    expected.set(link.path, { kind: 'symlink', target });
  }
  for (const bin of plan.bins) {
    expected.set(bin.path, { kind: 'symlink', target: bin.target });
    const runs = bin.executable === null ? undefined : expected.get(bin.executable);
    if (runs?.kind === 'file') expected.set(bin.executable!, { ...runs, executable: true });
  }
  return expected;
}

export interface TreeState {
  disk: DiskEntries;
  differences: Difference[];
}

/**
 * `presenceOnly`: paths below packages whose lifecycle scripts ran; their files are only checked
 * for presence (scripts may rewrite them and add more), so they are never hashed either.
 */
export async function inspectTree(
  treeDir: string,
  expected: ReadonlyMap<string, TreeEntry>,
  sources: TreeSources,
  presenceOnly: (rel: string) => boolean = () => false,
): Promise<TreeState> {
  // A file that is the very inode of its verified store file holds the right bytes.
  const disk = await readDiskEntries(treeDir, {
    hash: (rel, stats) => {
      if (presenceOnly(rel)) return false;
      const source = expected.get(rel)?.source;
      return !source || sources.soundInode(source.integrity, source.from) !== inodeKey(stats);
    },
  });
  return { disk, differences: diffContents(expected, disk, { dirWriteMask: 0o022, ignore: new Set([TREE_MARKER]), presenceOnly }) };
}

/** Puts a store file (hard link, or a copy across filesystems or below a scripted package) or a symlink at `at`. */
async function place(entry: TreeEntry, at: string, sources: TreeSources): Promise<void> {
  if (entry.kind === 'symlink') return symlink(entry.target, at);
  if (entry.kind === 'dir') return void (await mkdir(at, TREE_DIR_MODE));
  const from = path.join(sources.storeDir(entry.source!.integrity), entry.source!.from);
  try {
    if (entry.source!.copy) await copyFile(from, at);
    else await link(from, at);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
    await copyFile(from, at);
  }
  if (entry.executable && !((await lstat(at)).mode & 0o111)) await chmod(at, READ_ONLY_EXECUTABLE);
}

/** Replaces one path in one step: readers see the old entry or the new one. */
async function replace(target: string, put: (at: string) => Promise<void>): Promise<void> {
  const temp = path.join(path.dirname(target), tempName('.fsck'));
  await put(temp);
  try {
    await rename(temp, target);
  } catch (error) {
    await removeSealed(temp);
    throw error;
  }
}

export async function repairTree(treeDir: string, expected: ReadonlyMap<string, TreeEntry>, state: TreeState, sources: TreeSources): Promise<void> {
  const depth = (rel: string) => rel.split('/').length;
  const below = (dir: string) => [...expected.keys()].filter((rel) => rel.startsWith(`${dir}/`)).sort((a, b) => depth(a) - depth(b));
  for (const { file, kind } of state.differences) {
    const target = path.join(treeDir, file);
    const want = expected.get(file);
    if (kind === 'unexpected' || !want) {
      await removeSealed(target);
      continue;
    }
    if (want.kind !== 'dir') {
      if (state.disk.get(file)?.kind === 'dir') await removeSealed(target);
      await replace(target, (at) => place(want, at, sources));
      continue;
    }
    if (kind === 'mode') {
      await chmod(target, TREE_DIR_MODE);
      continue;
    }
    // A directory missing or of the wrong type: rebuild it with everything below it.
    if (state.disk.has(file)) await removeSealed(target);
    await mkdir(target, TREE_DIR_MODE);
    for (const rel of below(file)) await place(expected.get(rel)!, path.join(treeDir, rel), sources);
  }
}

/** A store file found damaged: which package and path, so a tree linking its inode can be relinked. */
export interface DamagedStoreFile {
  integrity: string;
  label: string;
  file: string;
}

export async function inspectTreeLinks(treeDir: string, damaged: ReadonlyMap<string, DamagedStoreFile>): Promise<Array<Difference & { store: DamagedStoreFile }>> {
  const disk = await readDiskEntries(treeDir, { hash: () => false });
  const found: Array<Difference & { store: DamagedStoreFile }> = [];
  for (const [rel, entry] of disk) {
    const store = entry.kind === 'file' ? damaged.get(entry.inode) : undefined;
    if (store) found.push({ file: rel, kind: 'content', problem: `is a hard link to the damaged store file "${store.file}" of ${store.label}`, store });
  }
  return found.sort((a, b) => (a.file < b.file ? -1 : 1));
}

export async function relinkTreeFile(treeDir: string, file: string, store: DamagedStoreFile, sources: TreeSources): Promise<void> {
  const entry = sources.contents(store.integrity).get(store.file);
  if (entry?.kind !== 'file') return;
  const wasExecutable = ((await lstat(path.join(treeDir, file))).mode & 0o111) !== 0;
  await replace(path.join(treeDir, file), (at) =>
    place({ ...entry, executable: entry.executable || wasExecutable, source: { integrity: store.integrity, from: store.file } }, at, sources),
  );
}
