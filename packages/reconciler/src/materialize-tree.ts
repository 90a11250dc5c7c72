// Builds trees/<hash>/node_modules from the extracted store by hard-linking files (copying only
// where the filesystem refuses links), or, in the `linked-packages` layout, by linking whole
// package directories. Packages whose lifecycle scripts are allowed are copied instead and their
// scripts run in the temp dir before the marker. Everything happens in a temp dir that is renamed
// into place after the completion marker is written, so trees/<hash> is either whole or absent.
import { chmod, copyFile, link, mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestEntry } from '@spk/common';
import type { DataLayout } from './data-layout.ts';
import type { ExtractedStore, PackageListing } from './extracted-store.ts';
import { DEFAULT_INSTALL_SCRIPT_SETTINGS, runTreeInstallScripts, type InstallScriptSettings } from './install-scripts/run-install-scripts.ts';
import { mapConcurrent } from './map-concurrent.ts';
import { removeSealed } from './sealed-dirs.ts';
import { READ_ONLY_EXECUTABLE, READ_ONLY_FILE } from './safe-extract.ts';
import { listingsNeeded, planTree, type TreeLayout } from './tree-plan.ts';
import { isTreeComplete, TREE_MARKER, treeMarker } from './tree-state.ts';
import { tempName } from './temp-names.ts';

export const DEFAULT_IO_CONCURRENCY = 64;
export const TREE_DIR_MODE = 0o755;

export interface TreeBuildStats {
  packages: number;
  dirs: number;
  files: number;
  /** Files copied because the filesystem would not hard-link them (e.g. EXDEV). */
  copied: number;
  symlinks: number;
  bins: number;
  /** Packages placed as one symlink to the store (`linked-packages` layout). */
  packageLinks: number;
  /** Lifecycle scripts run (packages whose scripts are allowed). */
  installScripts: number;
  durationMs: number;
}

export interface BuildTreeOptions {
  layout: DataLayout;
  store: ExtractedStore;
  lockfileHash: string;
  manifest: readonly ManifestEntry[];
  treeLayout?: TreeLayout;
  ioConcurrency?: number;
  /** How allowed lifecycle scripts run (default DEFAULT_INSTALL_SCRIPT_SETTINGS). */
  installScripts?: InstallScriptSettings;
}

function byDepth(dirs: readonly string[]): string[][] {
  const levels: string[][] = [];
  for (const dir of dirs) (levels[dir.split('/').length - 1] ??= []).push(dir);
  return levels.filter((level) => level !== undefined);
}

export async function buildTree(options: BuildTreeOptions): Promise<TreeBuildStats> {
  const started = performance.now();
  const { layout, store, lockfileHash, manifest } = options;
  const limit = options.ioConcurrency ?? DEFAULT_IO_CONCURRENCY;
  const treeLayout = options.treeLayout ?? 'hardlinked';
  const integrities = [...listingsNeeded(manifest, treeLayout)];
  const listed = await mapConcurrent(integrities, limit, (integrity) => store.listing(integrity));
  const listings = new Map<string, PackageListing>(integrities.map((integrity, i) => [integrity, listed[i]!]));
  const plan = planTree(manifest, listings, treeLayout);

  await mkdir(layout.treesDir, { recursive: true });
  const temp = path.join(layout.treesDir, tempName(lockfileHash));
  // Never group/world-writable, whatever the umask: nobody else may plant files in a tree.
  await mkdir(temp, TREE_DIR_MODE);
  try {
    // The plan lists each directory once; creating them level by level means no mkdir ever
    // needs `recursive` (which stats every ancestor again).
    for (const level of byDepth(plan.dirs)) await mapConcurrent(level, limit, (dir) => mkdir(path.join(temp, dir), TREE_DIR_MODE));

    let copied = 0;
    let linksRefused = false;
    await mapConcurrent(plan.files, limit, async (file) => {
      const from = path.join(store.dir(file.integrity), file.from);
      const to = path.join(temp, file.to);
      // A script may write into its package: its files must not be the store's inodes.
      if (file.copy) return copyFile(from, to);
      if (!linksRefused) {
        try {
          return await link(from, to);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
          // EXDEV/EPERM hold for the whole store; stop paying a failed syscall per file.
          if (code !== 'EMLINK') linksRefused = true;
        }
      }
      copied++;
      await copyFile(from, to);
    });
    // Relative links keep the data dir relocatable as a whole; the temp dir sits at the same
    // depth as the final one, so a target computed for the final place works from both.
    const packageLinks = plan.packageLinks.map((link) => ({
      path: link.path,
      target: path.relative(path.dirname(path.join(layout.treeDir(lockfileHash), link.path)), store.dir(link.integrity)),
    }));
    const links = [...plan.symlinks, ...packageLinks, ...plan.bins];
    await mapConcurrent(links, limit, (entry) => symlink(entry.target, path.join(temp, entry.path)));
    // Hard links share the mode with the store; adding +x there is harmless and idempotent,
    // and the file stays read-only for every tree that links it.
    await mapConcurrent(plan.bins, limit, async (bin) => (bin.executable ? chmod(path.join(temp, bin.executable), READ_ONLY_EXECUTABLE) : undefined));

    // Last before the marker: a failing script leaves no tree behind (the catch removes it).
    const scripts = await runTreeInstallScripts({
      layout,
      treeRoot: temp,
      treeLayout,
      manifest,
      settings: options.installScripts ?? DEFAULT_INSTALL_SCRIPT_SETTINGS,
      consequence: 'the previous tree stays current',
    });

    const marker = `${JSON.stringify(treeMarker(lockfileHash, treeLayout, manifest.length, [...new Set(manifest.map((entry) => entry.integrity))]))}\n`;
    await writeFile(path.join(temp, TREE_MARKER), marker, { mode: READ_ONLY_FILE });
    await moveIntoPlace(temp, layout.treeDir(lockfileHash));
    return {
      packages: manifest.length,
      dirs: plan.dirs.length,
      files: plan.files.length,
      copied,
      symlinks: plan.symlinks.length,
      bins: plan.bins.length,
      packageLinks: plan.packageLinks.length,
      installScripts: scripts.scripts,
      durationMs: performance.now() - started,
    };
  } catch (error) {
    // removeSealed: a script may have left read-only directories, which a non-root host cannot empty.
    await removeSealed(temp);
    throw error;
  }
}

async function moveIntoPlace(temp: string, final: string): Promise<void> {
  try {
    await rename(temp, final);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  if (await isTreeComplete(final)) {
    // Built meanwhile by another process: keep that one.
    await removeSealed(temp);
    return;
  }
  // A directory without the marker is not a tree; replace it.
  await removeSealed(final);
  await rename(temp, final);
}
