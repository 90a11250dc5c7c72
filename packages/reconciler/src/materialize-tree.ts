// Builds trees/<hash>/node_modules from the extracted store by hard-linking files (copying only
// where the filesystem refuses links), or, in the `linked-packages` layout, by linking whole
// package directories. Packages whose lifecycle scripts are allowed are copied instead and their
// scripts run in the temp dir before the marker. Everything happens in a temp dir that is renamed
// into place after the completion marker is written, so trees/<hash> is either whole or absent.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestEntry } from '@spk/common';
import type { DataLayout } from './data-layout.ts';
import type { ExtractedStore } from './extracted-store.ts';
import { DEFAULT_INSTALL_SCRIPT_SETTINGS, runTreeInstallScripts, type InstallScriptSettings } from './install-scripts/run-install-scripts.ts';
import { mapConcurrent } from './map-concurrent.ts';
import { removeSealed } from './sealed-dirs.ts';
import { READ_ONLY_EXECUTABLE, READ_ONLY_FILE } from './safe-extract.ts';
import type { TreeLayout } from './tree-plan.ts';
import { isTreeComplete, TREE_MARKER, treeMarker } from './tree-state.ts';
import { tempName } from './temp-names.ts';
import { writeTree } from './write-tree.ts';

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
  /**
   * Milliseconds per build phase: listing (until every package is listed; standalone packages are
   * written meanwhile), plan, write (the rest of the writes), bins, scripts, marker, rename.
   */
  phasesMs: Record<string, number>;
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

export async function buildTree(options: BuildTreeOptions): Promise<TreeBuildStats> {
  const started = performance.now();
  const phasesMs: Record<string, number> = {};
  let mark = started;
  const phase = (name: string) => {
    const now = performance.now();
    phasesMs[name] = now - mark;
    mark = now;
  };
  const { layout, store, lockfileHash, manifest } = options;
  const limit = options.ioConcurrency ?? DEFAULT_IO_CONCURRENCY;
  const treeLayout = options.treeLayout ?? 'hardlinked';

  await mkdir(layout.treesDir, { recursive: true });
  const temp = path.join(layout.treesDir, tempName(lockfileHash));
  // Never group/world-writable, whatever the umask: nobody else may plant files in a tree.
  await mkdir(temp, TREE_DIR_MODE);
  try {
    const { plan, files, symlinks, copied } = await writeTree({
      root: temp,
      finalDir: layout.treeDir(lockfileHash),
      store,
      manifest,
      treeLayout,
      concurrency: limit,
      dirMode: TREE_DIR_MODE,
      phase,
    });
    // Hard links share the mode with the store; adding +x there is harmless and idempotent,
    // and the file stays read-only for every tree that links it.
    await mapConcurrent(plan.bins, limit, async (bin) => (bin.executable ? chmod(path.join(temp, bin.executable), READ_ONLY_EXECUTABLE) : undefined));
    phase('bins');

    // Last before the marker: a failing script leaves no tree behind (the catch removes it).
    const scripts = await runTreeInstallScripts({
      layout,
      treeRoot: temp,
      treeLayout,
      manifest,
      settings: options.installScripts ?? DEFAULT_INSTALL_SCRIPT_SETTINGS,
      consequence: 'the previous tree stays current',
    });
    phase('scripts');

    const marker = `${JSON.stringify(treeMarker(lockfileHash, treeLayout, manifest.length, [...new Set(manifest.map((entry) => entry.integrity))]))}\n`;
    await writeFile(path.join(temp, TREE_MARKER), marker, { mode: READ_ONLY_FILE });
    phase('marker');
    await moveIntoPlace(temp, layout.treeDir(lockfileHash));
    phase('rename');
    return {
      packages: manifest.length,
      dirs: plan.dirs.length,
      files,
      copied,
      symlinks,
      bins: plan.bins.length,
      packageLinks: plan.packageLinks.length,
      installScripts: scripts.scripts,
      durationMs: performance.now() - started,
      phasesMs,
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
