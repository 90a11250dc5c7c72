// Plans and writes a tree's contents into its temp dir, package by package: a package that owns
// its directory alone is written as soon as its own listing is known, while the rest is listed
// (when the store was walked afresh, listing and writing overlap). What needs every listing
// (nested packages, bins, links to the store) follows in one final part.
import path from 'node:path';
import type { ManifestEntry } from '@spk/common';
import type { ExtractedStore, PackageListing } from './extracted-store.ts';
import { scriptPackageArea } from './install-scripts/script-packages.ts';
import { mapConcurrent } from './map-concurrent.ts';
import type { TreeLeaf } from './tree-frontier.ts';
import { listingsNeeded, planStandalonePackage, planTree, standalonePackages, type PackagePlan, type TreeLayout, type TreePlan } from './tree-plan.ts';
import { startTreeWriter } from './tree-writer.ts';

export interface WriteTreeInput {
  /** The tree's temp dir, already created. */
  root: string;
  /** Where the tree will be renamed to: links to the store are relative to it. */
  finalDir: string;
  store: ExtractedStore;
  manifest: readonly ManifestEntry[];
  treeLayout: TreeLayout;
  concurrency: number;
  dirMode: number;
  /** Marks the end of a phase: `listing` (every listing known), `plan`, `write`. */
  phase(name: string): void;
}

export interface WrittenTree {
  plan: TreePlan;
  files: number;
  symlinks: number;
  copied: number;
}

export async function writeTree(input: WriteTreeInput): Promise<WrittenTree> {
  const { store, manifest, treeLayout } = input;
  const writer = startTreeWriter(input.root, { concurrency: input.concurrency, dirMode: input.dirMode });
  // One store path per package, not per file: a tree has ~100 files per package.
  const storeDirs = new Map<string, string>();
  const storeDir = (integrity: string) => {
    let dir = storeDirs.get(integrity);
    if (dir === undefined) storeDirs.set(integrity, (dir = input.store.dir(integrity)));
    return dir;
  };
  const leaves = (part: Pick<PackagePlan, 'files' | 'symlinks'>): TreeLeaf[] => {
    // A script may write into its package: its files must not be the store's inodes.
    const out: TreeLeaf[] = part.files.map((file) => ({ kind: file.copy ? 'copy' : 'link', from: `${storeDir(file.integrity)}/${file.from}`, to: file.to }));
    for (const link of part.symlinks) out.push({ kind: 'symlink', target: link.target, to: link.path });
    return out;
  };

  try {
    const standalone = standalonePackages(manifest, treeLayout);
    const scripted = scriptPackageArea(manifest);
    const standaloneByIntegrity = new Map<string, ManifestEntry[]>();
    for (const entry of manifest) {
      if (!standalone(entry)) continue;
      const same = standaloneByIntegrity.get(entry.integrity);
      if (same) same.push(entry);
      else standaloneByIntegrity.set(entry.integrity, [entry]);
    }
    const listings = new Map<string, PackageListing>();
    const written = new Set<string>();
    let files = 0;
    let symlinks = 0;
    await mapConcurrent([...listingsNeeded(manifest, treeLayout)], input.concurrency, async (integrity) => {
      const listing = await store.listing(integrity);
      listings.set(integrity, listing);
      for (const entry of standaloneByIntegrity.get(integrity) ?? []) {
        const own = planStandalonePackage(entry, listing, scripted(entry.path));
        writer.add({ dirs: own.dirs, leaves: leaves(own) });
        written.add(entry.path);
        files += own.files.length;
        symlinks += own.symlinks.length;
      }
    });
    input.phase('listing');

    const plan = planTree(manifest, listings, treeLayout, written);
    // Relative links keep the data dir relocatable as a whole; the temp dir sits at the same
    // depth as the final one, so a target computed for the final place works from both.
    const packageLinks = plan.packageLinks.map((link) => ({
      path: link.path,
      target: path.relative(path.dirname(path.join(input.finalDir, link.path)), store.dir(link.integrity)),
    }));
    input.phase('plan');
    writer.add({ dirs: plan.dirs, leaves: leaves({ files: plan.files, symlinks: [...plan.symlinks, ...packageLinks, ...plan.bins] }) });
    const { copied } = await writer.finish();
    input.phase('write');
    return { plan, files: files + plan.files.length, symlinks: symlinks + plan.symlinks.length, copied };
  } catch (error) {
    // Nothing may still be writing when the caller removes the temp dir.
    writer.fail(error);
    await writer.finish().catch(() => undefined);
    throw error;
  }
}
