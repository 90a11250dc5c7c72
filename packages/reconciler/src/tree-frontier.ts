// The order in which a tree's entries can be written: an entry is ready once its parent directory
// exists, so a tree writer never waits for a whole depth level (no barrier per level), and a slow
// mkdir holds back only what lies below it. Entries may arrive in parts (a package as soon as its
// listing is known); a directory planned twice is made once. Pure bookkeeping; writers do the I/O.
import { SpkError } from '@spk/common';

/** A file or link, `to` relative to the tree root; `from` and `target` are used as given. */
export type TreeLeaf =
  /** Hard link; copied instead where the filesystem refuses links (EXDEV, EPERM, EMLINK). */
  | { kind: 'link'; from: string; to: string }
  | { kind: 'copy'; from: string; to: string }
  | { kind: 'symlink'; target: string; to: string };

export interface TreeEntries {
  /** Relative to the root, each parent listed earlier (here or in an earlier part). */
  dirs: readonly string[];
  leaves: readonly TreeLeaf[];
}

export interface TreeFrontier {
  /** Plans more entries; throws INTERNAL for a directory or leaf whose parent was never planned. */
  add(entries: TreeEntries): void;
  /** A directory whose parent exists, or undefined. */
  nextDir(): string | undefined;
  /** A file or link whose directory exists, or undefined. */
  nextLeaf(): TreeLeaf | undefined;
  /** Call once `dir` exists: what lies directly in it becomes ready. */
  created(dir: string): void;
  readyCount(): number;
}

interface PlannedDir {
  created: boolean;
  /** What waits for this directory to exist. */
  dirs: string[];
  leaves: TreeLeaf[];
}

const parentOf = (rel: string) => rel.slice(0, Math.max(0, rel.lastIndexOf('/')));

/** The root ('') exists from the start. */
export function treeFrontier(entries: TreeEntries = { dirs: [], leaves: [] }): TreeFrontier {
  const planned = new Map<string, PlannedDir>([['', { created: true, dirs: [], leaves: [] }]]);
  const readyDirs: string[] = [];
  // Ready leaves grouped by directory, taken round-robin: links into one directory serialize on
  // its lock in the kernel, so the operations in flight should be spread over many directories.
  const groups: Array<{ leaves: TreeLeaf[]; next: number }> = [];
  let turn = 0;
  let readyLeaves = 0;

  const parentDir = (rel: string) => {
    const parent = planned.get(parentOf(rel));
    if (!parent) throw new SpkError('INTERNAL', `the tree entry "${rel}" lies in no planned directory`);
    return parent;
  };
  const ready = (leaves: TreeLeaf[]) => {
    groups.push({ leaves, next: 0 });
    readyLeaves += leaves.length;
  };

  const frontier: TreeFrontier = {
    add({ dirs, leaves }) {
      for (const dir of dirs) {
        if (planned.has(dir)) continue;
        const parent = parentDir(dir);
        planned.set(dir, { created: false, dirs: [], leaves: [] });
        if (parent.created) readyDirs.push(dir);
        else parent.dirs.push(dir);
      }
      // Leaves of one directory mostly come together: look the directory up once per run of them.
      let runDir: string | null = null;
      let runTarget: PlannedDir | null = null;
      let runLeaves: TreeLeaf[] = [];
      for (const leaf of leaves) {
        const dir = parentOf(leaf.to);
        if (dir !== runDir) {
          if (runTarget?.created && runLeaves.length > 0) ready(runLeaves);
          runDir = dir;
          runTarget = parentDir(leaf.to);
          runLeaves = runTarget.created ? [] : runTarget.leaves;
        }
        runLeaves.push(leaf);
      }
      if (runTarget?.created && runLeaves.length > 0) ready(runLeaves);
    },
    nextDir: () => readyDirs.pop(),
    nextLeaf() {
      if (groups.length === 0) return undefined;
      if (turn >= groups.length) turn = 0;
      const group = groups[turn]!;
      const leaf = group.leaves[group.next++]!;
      readyLeaves--;
      if (group.next === group.leaves.length) {
        // Swap-remove: the order between groups does not matter.
        groups[turn] = groups[groups.length - 1]!;
        groups.pop();
      } else {
        turn++;
      }
      return leaf;
    },
    created(dir) {
      const node = planned.get(dir)!;
      node.created = true;
      for (const child of node.dirs) readyDirs.push(child);
      if (node.leaves.length > 0) ready(node.leaves);
      node.dirs = [];
      node.leaves = [];
    },
    readyCount: () => readyDirs.length + readyLeaves,
  };
  frontier.add(entries);
  return frontier;
}
