// Turns a manifest plus each package's listing into the exact set of directories, file links,
// symlinks and .bin links of a tree. Pure, so layout rules (nesting, bins) are tested without
// a disk, and the builder can create every directory exactly once.
//
// Two layouts. `hardlinked`: every package is a real directory of hard-linked files, which
// plain Node resolution (realpath-based) handles, at a cost proportional to the number of
// files. `linked-packages`: a package with no nested packages below it becomes one symlink to
// its store directory, so a new tree costs about one syscall per package; resolution then
// needs --preserve-symlinks (script runs add it), or lookups would start from the store.
//
// In both layouts, whatever lies below a package whose lifecycle scripts run is a real directory
// of copied files: a script writing into its own files must not change the shared store.
import path from 'node:path';
import { SpkError, type ManifestEntry } from '@spk/common';
import type { PackageListing } from './extracted-store.ts';
import { scriptPackageArea } from './install-scripts/script-packages.ts';

export type TreeLayout = 'hardlinked' | 'linked-packages';

export interface TreePlan {
  /** Relative to the tree root, every parent before its children. */
  dirs: string[];
  /** `copy`: below a package whose scripts run, so copied rather than hard-linked. */
  files: Array<{ integrity: string; from: string; to: string; copy: boolean }>;
  symlinks: Array<{ path: string; target: string }>;
  /** `.bin` links, and the file each one runs (to mark executable), if the package has it. */
  bins: Array<{ path: string; target: string; executable: string | null }>;
  /** Package directories that are symlinks to the package's store directory. */
  packageLinks: Array<{ path: string; integrity: string }>;
}

type Placed = { kind: 'file'; integrity: string; from: string } | { kind: 'symlink'; target: string };

const depth = (p: string) => p.split('/').length;
const label = (entry: ManifestEntry) => `${entry.name}@${entry.version}`;

function ancestors(rel: string): string[] {
  const parts = rel.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** `bin` keys may be scoped (`@s/tool`); the link is named after the last part, as npm does. */
function binName(entry: ManifestEntry, key: string): string {
  const name = key.startsWith('@') ? key.slice(key.indexOf('/') + 1) : key;
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\')) {
    throw new SpkError('INVALID_INPUT', `${label(entry)} declares the bin name "${key}", which is not a plain file name`);
  }
  return name;
}

function planBins(entries: readonly ManifestEntry[], listings: ReadonlyMap<string, PackageListing>, dirs: Set<string>): TreePlan['bins'] {
  const bins: TreePlan['bins'] = [];
  const taken = new Set<string>();
  for (const entry of entries) {
    const names = Object.entries(entry.bin);
    if (names.length === 0) continue;
    // The node_modules directory holding this package: nested packages get a nested .bin.
    const binDir = `${entry.path.slice(0, entry.path.lastIndexOf('node_modules/') + 'node_modules'.length)}/.bin`;
    dirs.add(binDir);
    for (const [key, file] of names) {
      const target = path.posix.normalize(path.posix.join(entry.path, file));
      if (!target.startsWith(`${entry.path}/`)) {
        throw new SpkError('INVALID_INPUT', `${label(entry)} declares the bin "${key}" -> "${file}", which points outside the package`);
      }
      const link = `${binDir}/${binName(entry, key)}`;
      // Two packages in one node_modules claiming a name: the first by path keeps it.
      if (taken.has(link)) continue;
      taken.add(link);
      const executable = listings.get(entry.integrity)?.files.includes(target.slice(entry.path.length + 1)) ? target : null;
      bins.push({ path: link, target: path.posix.relative(binDir, target), executable });
    }
  }
  return bins;
}

/**
 * Packages placed as one link to the store (`linked-packages` only): not those with packages
 * nested in their own node_modules, nor those in a scripted package's area.
 */
function linkedPackages(entries: readonly ManifestEntry[], treeLayout: TreeLayout): (entry: ManifestEntry) => boolean {
  if (treeLayout !== 'linked-packages') return () => false;
  const parents = new Set<string>();
  for (const entry of entries) {
    const cut = entry.path.lastIndexOf('/node_modules/');
    if (cut > 0) parents.add(entry.path.slice(0, cut));
  }
  const scripted = scriptPackageArea(entries);
  return (entry) => !parents.has(entry.path) && !scripted(entry.path);
}

/** Integrities whose listing the plan needs: linked packages need none unless they have bins. */
export function listingsNeeded(manifest: readonly ManifestEntry[], treeLayout: TreeLayout): Set<string> {
  const linked = linkedPackages(manifest, treeLayout);
  const needed = new Set<string>();
  for (const entry of manifest) {
    if (!linked(entry) || Object.keys(entry.bin).length > 0) needed.add(entry.integrity);
  }
  return needed;
}

/**
 * Packages whose directory another package's directory lies in, or lies in another's: only these
 * can have two packages claim one path. Every other package owns its directory alone.
 */
function overlappingPackages(entries: readonly ManifestEntry[]): Set<string> {
  const paths = new Set(entries.map((entry) => entry.path));
  const overlapping = new Set<string>();
  for (const entry of entries) {
    for (let cut = entry.path.indexOf('/'); cut !== -1; cut = entry.path.indexOf('/', cut + 1)) {
      const outer = entry.path.slice(0, cut);
      if (!paths.has(outer)) continue;
      overlapping.add(outer);
      overlapping.add(entry.path);
    }
  }
  return overlapping;
}

/**
 * Packages that own their directory alone (nothing nested, not nested, not a link to the store):
 * their part of the plan needs nothing but their own listing, so a builder can write it while
 * other packages are still being extracted or listed.
 */
export function standalonePackages(manifest: readonly ManifestEntry[], treeLayout: TreeLayout): (entry: ManifestEntry) => boolean {
  const linked = linkedPackages(manifest, treeLayout);
  const overlapping = overlappingPackages(manifest);
  return (entry) => !linked(entry) && !overlapping.has(entry.path);
}

export type PackagePlan = Pick<TreePlan, 'dirs' | 'files' | 'symlinks'>;

/** A standalone package's directories (its ancestors first), files and symlinks; `copy` for a scripted package. */
export function planStandalonePackage(entry: ManifestEntry, listing: PackageListing, copy: boolean): PackagePlan {
  const { integrity } = entry;
  return {
    // Sorted here too: a listing read back from disk is trusted for its paths, not for their order.
    dirs: [...ancestors(entry.path), ...parentsFirst(listing.dirs.map((dir) => `${entry.path}/${dir}`))],
    files: listing.files.map((from) => ({ integrity, from, to: `${entry.path}/${from}`, copy })),
    symlinks: listing.symlinks.map((link) => ({ path: `${entry.path}/${link.path}`, target: link.target })),
  };
}

/**
 * The whole tree, except the files and symlinks of the standalone packages in `written` (already
 * planned by planStandalonePackage); their directories and bins are still in it.
 */
export function planTree(
  manifest: readonly ManifestEntry[],
  listings: ReadonlyMap<string, PackageListing>,
  treeLayout: TreeLayout = 'hardlinked',
  written: ReadonlySet<string> = new Set(),
): TreePlan {
  // Shallow packages first, so a nested package overrides anything its parent's tarball
  // happened to bundle at the same place.
  const entries = [...manifest].sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const dirs = new Set<string>();
  const files: TreePlan['files'] = [];
  const symlinks: TreePlan['symlinks'] = [];
  // Only where packages nest can two packages claim one path: those go through `placed`, where
  // the deeper one wins. A package that owns its directory alone has its entries go straight to
  // the plan (the common case, ~100 files a package).
  const placed = new Map<string, Placed>();
  const packageLinks: TreePlan['packageLinks'] = [];
  const linked = linkedPackages(entries, treeLayout);
  const scripted = scriptPackageArea(entries);
  const overlapping = overlappingPackages(entries);

  for (const entry of entries) {
    if (linked(entry)) {
      for (const dir of ancestors(entry.path).slice(0, -1)) dirs.add(dir);
      packageLinks.push({ path: entry.path, integrity: entry.integrity });
      continue;
    }
    const listing = listings.get(entry.integrity);
    if (!listing) throw new SpkError('INTERNAL', `no extracted contents for ${label(entry)} (${entry.integrity})`);
    if (!overlapping.has(entry.path)) {
      // Nothing is nested below it, so no scripted package either: its own area decides.
      const own = planStandalonePackage(entry, listing, scripted(entry.path));
      for (const dir of own.dirs) dirs.add(dir);
      if (written.has(entry.path)) continue;
      // A loop, not push(...): a package may have more files than a call may have arguments.
      for (const file of own.files) files.push(file);
      for (const link of own.symlinks) symlinks.push(link);
      continue;
    }
    for (const dir of ancestors(entry.path)) dirs.add(dir);
    for (const dir of listing.dirs) dirs.add(`${entry.path}/${dir}`);
    const { integrity } = entry;
    for (const from of listing.files) placed.set(`${entry.path}/${from}`, { kind: 'file', integrity, from });
    for (const link of listing.symlinks) placed.set(`${entry.path}/${link.path}`, { kind: 'symlink', target: link.target });
  }

  // A linked nested package replaces whatever its parent's tarball bundled at the same place.
  for (const link of packageLinks) {
    const below = (p: string) => p === link.path || p.startsWith(`${link.path}/`);
    for (const dir of dirs) if (below(dir)) dirs.delete(dir);
    for (const to of placed.keys()) if (below(to)) placed.delete(to);
  }
  const bins = planBins(entries, listings, dirs);
  for (const [to, what] of placed) {
    if (dirs.has(to)) throw new SpkError('INTERNAL', `the tree path "${to}" would be both a directory and a file`);
    if (what.kind === 'file') files.push({ integrity: what.integrity, from: what.from, to, copy: scripted(to) });
    else symlinks.push({ path: to, target: what.target });
  }
  return { dirs: parentsFirst(dirs), files, symlinks, bins, packageLinks };
}

/** Sorted by depth, each depth computed once (a comparator splitting paths costs more than the rest of the plan). */
function parentsFirst(dirs: Iterable<string>): string[] {
  const byDepth: string[][] = [];
  for (const dir of dirs) {
    let slashes = 0;
    for (let i = dir.indexOf('/'); i !== -1; i = dir.indexOf('/', i + 1)) slashes++;
    (byDepth[slashes] ??= []).push(dir);
  }
  return byDepth.flatMap((level) => level ?? []);
}
