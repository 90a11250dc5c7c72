import { existsSync, statSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TreeEntries, TreeLeaf } from './tree-frontier.ts';
import { startTreeWriter, writeTreeEntries } from './tree-writer.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';

const tempDir = useTempDirs();
const DIR_MODE = 0o755;

/** A store of `count` files spread over `dirs` directories, and the entries that link all of them. */
async function storeAndEntries(store: string, dirs: number, count: number): Promise<TreeEntries> {
  const plannedDirs = ['node_modules'];
  const leaves: TreeLeaf[] = [];
  for (let d = 0; d < dirs; d++) {
    plannedDirs.push(`node_modules/p${d}`, `node_modules/p${d}/lib`);
    await mkdir(path.join(store, `p${d}`, 'lib'), { recursive: true });
  }
  for (let i = 0; i < count; i++) {
    const rel = `p${i % dirs}/${i % 3 === 0 ? 'lib/' : ''}f${i}.js`;
    await writeFile(path.join(store, rel), `module.exports = ${i};\n`);
    leaves.push({ kind: 'link', from: path.join(store, rel), to: `node_modules/${rel}` });
  }
  return { dirs: plannedDirs, leaves };
}

describe('writeTreeEntries', () => {
  it.each([1, 64])('writes every directory, hard link, copy and symlink of the plan (%i in flight)', async (concurrency) => {
    const [store, root] = [await tempDir(), await tempDir()];
    const entries = await storeAndEntries(store, 7, 120);
    const leaves: TreeLeaf[] = [
      ...entries.leaves,
      { kind: 'copy', from: path.join(store, 'p0/lib/f0.js'), to: 'node_modules/p0/copied.js' },
      { kind: 'symlink', target: '../p1/f1.js', to: 'node_modules/p0/linked.js' },
    ];
    const result = await writeTreeEntries(root, { dirs: entries.dirs, leaves }, { concurrency, dirMode: DIR_MODE });

    expect(result.copied).toBe(0);
    for (const leaf of entries.leaves) {
      if (leaf.kind !== 'link') continue;
      // A hard link: the store's inode, not a copy of it.
      expect((await stat(path.join(root, leaf.to))).ino).toBe((await stat(leaf.from)).ino);
    }
    const copied = path.join(root, 'node_modules/p0/copied.js');
    expect((await stat(copied)).ino).not.toBe((await stat(path.join(store, 'p0/lib/f0.js'))).ino);
    expect(await readFile(copied, 'utf8')).toBe('module.exports = 0;\n');
    expect(await readlink(path.join(root, 'node_modules/p0/linked.js'))).toBe('../p1/f1.js');
    expect(await readFile(path.join(root, 'node_modules/p0/linked.js'), 'utf8')).toBe('module.exports = 1;\n');
    for (const dir of entries.dirs) expect((await lstat(path.join(root, dir))).mode & 0o777).toBe(DIR_MODE & ~process.umask());
    expect((await readdir(path.join(root, 'node_modules'))).length).toBe(7);
  });

  it('keeps writing parts added while earlier ones are in flight, making a shared directory once', async () => {
    const [store, root] = [await tempDir(), await tempDir()];
    const first = await storeAndEntries(store, 4, 200);
    const writer = startTreeWriter(root, { concurrency: 8, dirMode: DIR_MODE });
    writer.add(first);
    await mkdir(path.join(store, 'late'));
    await writeFile(path.join(store, 'late/index.js'), 'late\n');
    // node_modules is planned again: it exists (or is being made) already, and must not fail with EEXIST.
    writer.add({ dirs: ['node_modules', 'node_modules/late'], leaves: [{ kind: 'link', from: path.join(store, 'late/index.js'), to: 'node_modules/late/index.js' }] });
    await writer.finish();
    expect(await readFile(path.join(root, 'node_modules/late/index.js'), 'utf8')).toBe('late\n');
    const written = (await readdir(path.join(root, 'node_modules'), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    expect(written.length).toBe(201);
  });

  it('fails with the first error, after the operations in flight have settled, and starts nothing more', async () => {
    const [store, root] = [await tempDir(), await tempDir()];
    const entries = await storeAndEntries(store, 3, 60);
    const missing: TreeLeaf = { kind: 'link', from: path.join(store, 'gone.js'), to: 'node_modules/p0/gone.js' };
    const error = await writeTreeEntries(root, { dirs: entries.dirs, leaves: [missing, ...entries.leaves] }, { concurrency: 1, dirMode: DIR_MODE }).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((error as NodeJS.ErrnoException).path).toBe(missing.from);
    // One at a time, leaves taken round-robin over the 6 directories, the failing one first in its
    // directory: fewer than one round of links was written before it, and none after.
    const written = (await readdir(path.join(root, 'node_modules'), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    expect(written.length).toBeLessThan(6);
  });

  it('refuses arguments fs rejects synchronously as a failed write, not a crash', async () => {
    const root = await tempDir();
    const bad: TreeLeaf = { kind: 'symlink', target: 'x\u0000y', to: 'a' };
    await expect(writeTreeEntries(root, { dirs: [], leaves: [bad] }, { concurrency: 4, dirMode: DIR_MODE })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('fails when a directory cannot be created, without writing below it', async () => {
    const [store, root] = [await tempDir(), await tempDir()];
    const entries = await storeAndEntries(store, 2, 10);
    await writeFile(path.join(root, 'node_modules'), 'in the way');
    await expect(writeTreeEntries(root, entries, { concurrency: 8, dirMode: DIR_MODE })).rejects.toMatchObject({ code: 'EEXIST' });
  });

  // /dev/shm is usually another filesystem than the temp dir: links across filesystems fail with EXDEV.
  const shm = '/dev/shm';
  const crossDevice = existsSync(shm) && statSync(shm).dev !== statSync(process.env.TMPDIR ?? '/tmp').dev;
  it.skipIf(!crossDevice)('copies the files it cannot hard-link (EXDEV), once it knows, without trying links again', async () => {
    const store = await mkdtemp(path.join(shm, 'spk-tree-writer-'));
    try {
      const root = await tempDir();
      const entries = await storeAndEntries(store, 3, 30);
      const result = await writeTreeEntries(root, entries, { concurrency: 4, dirMode: DIR_MODE });
      expect(result.copied).toBe(30);
      for (const leaf of entries.leaves) {
        if (leaf.kind === 'link') expect(await readFile(path.join(root, leaf.to), 'utf8')).toBe(await readFile(leaf.from, 'utf8'));
      }
    } finally {
      await rm(store, { recursive: true, force: true });
    }
  });
});
