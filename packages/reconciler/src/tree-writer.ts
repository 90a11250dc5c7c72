// Writes a tree's entries through the libuv thread pool, in the frontier's order (an entry starts
// once its directory exists; entries may keep arriving while earlier ones are written), at most
// `concurrency` operations in flight. Each operation is
// one fs call with a callback: a tree has ~15k entries, and a promise per entry cost more main-thread
// CPU than the syscalls themselves. (Worker threads making synchronous calls were measured too:
// their start-up, tens of ms each, ate the gain.)
import { copyFile, link, mkdir, symlink } from 'node:fs';
import { treeFrontier, type TreeEntries, type TreeLeaf } from './tree-frontier.ts';

export interface TreeWriteOptions {
  concurrency: number;
  dirMode: number;
}

export interface TreeWriteResult {
  /** Files copied because the filesystem would not hard-link them. */
  copied: number;
}

type Done = (error: NodeJS.ErrnoException | null) => void;

/** EXDEV/EPERM hold for the whole store (stop trying links); EMLINK for one inode. */
export const linkRefusal = (code: string | undefined): 'store' | 'file' | null =>
  code === 'EXDEV' || code === 'EPERM' ? 'store' : code === 'EMLINK' ? 'file' : null;

export interface TreeWriter {
  /** More entries to write (e.g. a package as soon as its listing is known); ignored once failed. */
  add(entries: TreeEntries): void;
  /** Stops starting operations; finish() then fails with `error` (unless it failed already). */
  fail(error: unknown): void;
  /** Call after the last add(): settles once nothing is in flight, with the first failure if any. */
  finish(): Promise<TreeWriteResult>;
}

export function startTreeWriter(root: string, options: TreeWriteOptions): TreeWriter {
  const frontier = treeFrontier();
  const limit = Math.max(1, Math.floor(options.concurrency));
  let active = 0;
  let copied = 0;
  let linksRefused = false;
  let failure: { error: unknown } | null = null;
  let done: { resolve(result: TreeWriteResult): void; reject(error: unknown): void } | null = null;

  const finished: Done = (error) => {
    active--;
    if (error) failure ??= { error };
    pump();
  };
  const copyInstead = (leaf: { from: string; to: string }) => {
    copied++;
    copyFile(leaf.from, `${root}/${leaf.to}`, finished);
  };
  const linkOrCopy = (leaf: { from: string; to: string }) => {
    if (linksRefused) return copyInstead(leaf);
    link(leaf.from, `${root}/${leaf.to}`, (error) => {
      const refusal = linkRefusal(error?.code);
      if (!error || !refusal) return finished(error);
      if (refusal === 'store') linksRefused = true;
      copyInstead(leaf);
    });
  };
  // fs throws synchronously on arguments it rejects: that must fail the write, not the process.
  const guarded = (start: () => void) => {
    active++;
    try {
      start();
    } catch (error) {
      finished(error as NodeJS.ErrnoException);
    }
  };
  const startLeaf = (leaf: TreeLeaf) => {
    if (leaf.kind === 'link') linkOrCopy(leaf);
    else if (leaf.kind === 'copy') copyFile(leaf.from, `${root}/${leaf.to}`, finished);
    else symlink(leaf.target, `${root}/${leaf.to}`, finished);
  };
  const makeDir = (dir: string) =>
    mkdir(`${root}/${dir}`, options.dirMode, (error) => {
      if (!error) frontier.created(dir);
      finished(error);
    });
  function pump(): void {
    // Directories first: each one makes more work ready to spread over the pool.
    while (failure === null && active < limit) {
      const dir = frontier.nextDir();
      if (dir !== undefined) {
        guarded(() => makeDir(dir));
        continue;
      }
      const leaf = frontier.nextLeaf();
      if (leaf === undefined) break;
      guarded(() => startLeaf(leaf));
    }
    if (active > 0 || !done) return;
    if (failure) done.reject(failure.error);
    // Nothing in flight and nothing ready: what is not ready lies below a directory that was never made.
    else done.resolve({ copied });
  }

  return {
    add(entries) {
      if (failure !== null || done) return;
      frontier.add(entries);
      pump();
    },
    fail(error) {
      failure ??= { error };
    },
    finish() {
      return new Promise((resolve, reject) => {
        done = { resolve, reject };
        pump();
      });
    },
  };
}

/** Writes all of `entries` below `root`. */
export function writeTreeEntries(root: string, entries: TreeEntries, options: TreeWriteOptions): Promise<TreeWriteResult> {
  const writer = startTreeWriter(root, options);
  writer.add(entries);
  return writer.finish();
}
