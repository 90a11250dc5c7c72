import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTreeFiles, DEFAULT_LIST_LIMITS } from './tree-files.ts';

let dir: string;
let tree: string;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'spk-tree-files-')));
  tree = path.join(dir, 'tree');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function write(files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(tree, rel)), { recursive: true });
    await writeFile(path.join(tree, rel), content);
  }
}

describe('createTreeFiles', () => {
  it('lists files through links to files but not through links to directories, which may loop', async () => {
    await write({ 'node_modules/p/lib/a.d.ts': '', 'node_modules/p/lib/sub/b.d.ts': '', 'node_modules/p/lib/node_modules/x/c.d.ts': '' });
    await symlink('.', path.join(tree, 'node_modules/p/lib/self'));
    await symlink('sub', path.join(tree, 'node_modules/p/lib/alias'));
    await symlink('a.d.ts', path.join(tree, 'node_modules/p/lib/a-link.d.ts'));
    const files = createTreeFiles(tree, [tree]);
    expect(await files.list('node_modules/p/lib')).toEqual(['a-link.d.ts', 'a.d.ts', 'sub/b.d.ts']);
    // The same file under two logical paths has one real path: what the closure serves once.
    expect((await files.file('node_modules/p/lib/self/self/a.d.ts'))?.real).toBe(path.join(tree, 'node_modules/p/lib/a.d.ts'));
    expect(await files.realDir('node_modules/p/lib/self')).toBe(path.join(tree, 'node_modules/p/lib'));
  });

  it('returns at most the files the limits allow from one listing', async () => {
    expect(DEFAULT_LIST_LIMITS.files).toBe(10_000);
    await write(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`node_modules/p/f${String(i).padStart(2, '0')}.d.ts`, ''])));
    const files = createTreeFiles(tree, [tree], { entries: 100, files: 5 });
    expect(await files.list('node_modules/p')).toEqual(['f00.d.ts', 'f01.d.ts', 'f02.d.ts', 'f03.d.ts', 'f04.d.ts']);
    expect(await createTreeFiles(tree, [tree], { entries: 3, files: 100 }).list('node_modules/p')).toHaveLength(3);
  });
});
