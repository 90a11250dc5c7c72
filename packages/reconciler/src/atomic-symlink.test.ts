import { mkdir, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceSymlink } from './atomic-symlink.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';

const tempDir = useTempDirs();

describe('replaceSymlink', () => {
  it('creates, then swaps a link to a new target without leaving temp links', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'a'));
    await mkdir(path.join(dir, 'b'));
    const link = path.join(dir, 'current');
    await replaceSymlink(link, 'a');
    expect(await readlink(link)).toBe('a');
    await replaceSymlink(link, 'b');
    expect(await readlink(link)).toBe('b');
    expect((await readdir(dir)).sort()).toEqual(['a', 'b', 'current']);
  });
});
