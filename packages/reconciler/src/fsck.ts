// fsck for a host: the extracted store against the verified tarballs (fsck-store.ts), then the
// current tree file by file against its plan, and every other tree for links to damaged store
// files. With `repair`, what differs is rebuilt in place (store-repair.ts, tree-repair.ts):
// no tree that `current` or a run uses is ever removed, and later trees link repaired files.
// Below a package whose lifecycle scripts ran only presence is checked; restoring files there
// runs that package's scripts again, as building the tree did.
import { hexToIntegrity, isSpkError, SHA512_HEX, type FsckProblem, type Manifest } from '@spk/common';
import type { Difference } from './contents-diff.ts';
import { TREE_HASH, type DataLayout } from './data-layout.ts';
import { checkStore, fileCount, fsckProblem, markRepaired, type StoreCheck, type StoreCheckOptions } from './fsck-store.ts';
import { DEFAULT_INSTALL_SCRIPT_SETTINGS, runTreeInstallScripts, type InstallScriptSettings } from './install-scripts/run-install-scripts.ts';
import { runsInstallScripts, scriptPackageArea } from './install-scripts/script-packages.ts';
import { expectedTree, inspectTree, inspectTreeLinks, relinkTreeFile, repairTree, type TreeSources } from './tree-repair.ts';
import { isTreeComplete, readCurrentTree, readTreeMarker, TREE_MARKER } from './tree-state.ts';
import { readDirIfPresent } from './read-if-present.ts';

export interface FsckHostOptions extends StoreCheckOptions {
  /** The desired state; when it is the current tree, that tree is checked file by file. */
  desired?: { lockfileHash: string; manifest: Manifest } | null;
  /** How scripts run again after files of a scripted package were restored (default as when building). */
  installScripts?: InstallScriptSettings;
}

export interface FsckReport {
  currentTree: string | null;
  checked: { packages: number; files: number; trees: number };
  damaged: FsckProblem[];
  repaired: number;
}


const LOCATION_ORDER = { blob: 0, store: 1, tree: 2 } as const;
const reportOrder = (a: FsckProblem, b: FsckProblem) =>
  LOCATION_ORDER[a.location] - LOCATION_ORDER[b.location] || a.package.localeCompare(b.package) || a.file.localeCompare(b.file);

/** Names the package a tree path belongs to: the deepest manifest entry containing it. */
function treeProblems(manifest: Manifest | null, lockfileHash: string) {
  const deepestFirst = [...(manifest ?? [])].sort((a, b) => b.path.length - a.path.length);
  return (difference: Difference): FsckProblem => {
    const entry = deepestFirst.find(({ path }) => difference.file === path || difference.file.startsWith(`${path}/`));
    const label = entry ? `${entry.name}@${entry.version}` : '(tree)';
    return fsckProblem(entry?.integrity ?? '', label, { location: 'tree', ...difference }, lockfileHash);
  };
}

interface PlannedTreeCheck {
  layout: DataLayout;
  treeDir: string;
  manifest: Manifest;
  sources: TreeSources;
  toProblem: (d: Difference) => FsckProblem;
  repair: boolean;
  installScripts: InstallScriptSettings;
}

/** The tree whose manifest is known, against its plan; null when its marker cannot be read. */
async function checkPlannedTree({ layout, treeDir, manifest, sources, toProblem, repair, installScripts }: PlannedTreeCheck) {
  let treeLayout;
  try {
    treeLayout = (await readTreeMarker(treeDir)).layout;
  } catch (error) {
    return { files: 0, found: [toProblem({ file: TREE_MARKER, kind: 'content', problem: (error as Error).message })] };
  }
  const expected = expectedTree({ manifest, treeLayout, treeDir, sources });
  const scripted = scriptPackageArea(manifest);
  let state = await inspectTree(treeDir, expected, sources, scripted);
  const found = state.differences.map(toProblem);
  if (repair && found.length > 0) {
    await repairTree(treeDir, expected, state, sources);
    // Every scripted package holding a restored path runs its scripts again, in install order.
    const rerun = manifest.filter((entry) => runsInstallScripts(entry) && found.some(({ file }) => file === entry.path || file.startsWith(`${entry.path}/`)));
    let scriptFailure: Error | null = null;
    try {
      await runTreeInstallScripts({
        layout,
        treeRoot: treeDir,
        treeLayout,
        manifest,
        only: new Set(rerun.map((entry) => entry.path)),
        settings: installScripts,
        consequence: "the package's files were restored, but its scripts did not complete",
      });
    } catch (error) {
      if (!isSpkError(error, 'INSTALL_SCRIPT_FAILED')) throw error;
      scriptFailure = error;
    }
    state = await inspectTree(treeDir, expected, sources, scripted);
    markRepaired(found, state.differences);
    // Files put back without their scripts' work are not a repaired package.
    if (scriptFailure) {
      for (const each of found.filter(({ file }) => scripted(file))) Object.assign(each, { repaired: false, problem: `${each.problem}; ${scriptFailure.message}` });
    }
  }
  return { files: fileCount(expected), found };
}

/** A tree without a known manifest: only links to damaged store files can be found (and relinked). */
async function checkTreeLinks(treeDir: string, store: StoreCheck, sources: TreeSources, toProblem: (d: Difference) => FsckProblem, repair: boolean) {
  const found: FsckProblem[] = [];
  for (const link of await inspectTreeLinks(treeDir, store.damagedInodes)) {
    const each = { ...toProblem({ file: link.file, kind: link.kind, problem: link.problem }), package: link.store.label, integrity: link.store.integrity };
    if (repair && store.repairedFiles.has(`${link.store.integrity}\0${link.store.file}`)) {
      await relinkTreeFile(treeDir, link.file, link.store, sources);
      each.repaired = true;
    }
    found.push(each);
  }
  return found;
}

export async function fsckHost(options: FsckHostOptions): Promise<FsckReport> {
  const { layout, repair } = options;
  const current = await readCurrentTree(layout);
  const currentTree = current?.complete ? current.lockfileHash : null;
  const manifest = currentTree !== null && options.desired?.lockfileHash === currentTree ? options.desired.manifest : null;
  const labels = new Map((manifest ?? []).map((entry) => [entry.integrity, `${entry.name}@${entry.version}`]));
  const inStore = (await readDirIfPresent(layout.extractedDir)).filter((name) => SHA512_HEX.test(name)).map(hexToIntegrity);

  const store = await checkStore(options, [...new Set([...inStore, ...labels.keys()])], labels);
  const damaged = [...store.damaged];
  const checked = { packages: store.packages, files: store.files, trees: 0 };
  const sources: TreeSources = {
    contents: (integrity) => store.contents.get(integrity)!,
    storeDir: (integrity) => layout.extractedPath(integrity),
    soundInode: (integrity, from) => store.soundInodes.get(integrity)?.get(from),
  };

  for (const hash of (await readDirIfPresent(layout.treesDir)).filter((name) => TREE_HASH.test(name)).sort()) {
    const treeDir = layout.treeDir(hash);
    if (!(await isTreeComplete(treeDir))) continue;
    const toProblem = treeProblems(manifest, hash);
    if (hash === currentTree && manifest?.every((entry) => store.contents.has(entry.integrity))) {
      const installScripts = options.installScripts ?? DEFAULT_INSTALL_SCRIPT_SETTINGS;
      const planned = await checkPlannedTree({ layout, treeDir, manifest, sources, toProblem, repair, installScripts });
      checked.trees++;
      checked.files += planned.files;
      damaged.push(...planned.found);
    } else if (store.damagedInodes.size > 0) {
      checked.trees++;
      damaged.push(...(await checkTreeLinks(treeDir, store, sources, toProblem, repair)));
    }
  }
  return { currentTree, checked, damaged: damaged.sort(reportOrder), repaired: damaged.filter((found) => found.repaired).length };
}
