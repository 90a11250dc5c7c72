import { lstat, mkdir, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { safeExtract } from './safe-extract.ts';
import { makeTarball, type TarEntrySpec } from './test-support/tarball.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';

const tempDir = useTempDirs();

describe('safeExtract', () => {
  it('extracts a package with an unusual top folder, keeping inner symlinks and dropping setuid and write bits', async () => {
    const base = await tempDir();
    const dest = path.join(base, 'pkg');
    const bytes = makeTarball([
      { path: 'node/package.json', content: '{"name":"n"}' },
      { path: 'node/lib/a.js', content: 'a', mode: 0o4777 },
      { path: 'node/bin/a', type: 'SymbolicLink', linkpath: '../lib/a.js' },
      { path: 'node/b.js', type: 'Link', linkpath: 'node/lib/a.js' },
    ]);
    await safeExtract({ bytes, dest, label: 'n@1.0.0' });
    expect((await readdir(dest)).sort()).toEqual(['b.js', 'bin', 'lib', 'package.json']);
    expect(await readlink(path.join(dest, 'bin/a'))).toBe('../lib/a.js');
    expect(await readFile(path.join(dest, 'b.js'), 'utf8')).toBe('a');
    expect((await lstat(path.join(dest, 'lib/a.js'))).mode & 0o7777).toBe(0o555);
    expect((await lstat(path.join(dest, 'package.json'))).mode & 0o7777).toBe(0o444);
    for (const dir of ['', 'lib', 'bin']) expect((await lstat(path.join(dest, dir))).mode & 0o7777).toBe(0o555);
  });

  const malicious: Array<[string, TarEntrySpec[], string]> = [
    ['path traversal', [{ path: 'package/../../escaped', content: 'x' }], 'contains a ".." segment'],
    ['an absolute path', [{ path: '/tmp/escaped', content: 'x' }], 'is absolute'],
    ['a symlink out', [{ path: 'package/escaped', type: 'SymbolicLink', linkpath: '../../..' }], 'resolves outside the package'],
    ['a symlink out followed by a write through it', [{ path: 'package/l', type: 'SymbolicLink', linkpath: '/tmp' }, { path: 'package/l/escaped', content: 'x' }], 'absolute path'],
    ['a hard link out', [{ path: 'package/escaped', type: 'Link', linkpath: '../../outside/secret' }], 'contains a ".." segment'],
    ['a hard link to an absolute path', [{ path: 'package/escaped', type: 'Link', linkpath: '/etc/passwd' }], 'which is absolute'],
    ['a character device', [{ path: 'package/escaped', type: 'CharacterDevice' }], 'is a character device'],
    ['a block device', [{ path: 'package/escaped', type: 'BlockDevice' }], 'is a block device'],
    ['a FIFO', [{ path: 'package/escaped', type: 'FIFO' }], 'is a FIFO'],
  ];

  it.each(malicious)('refuses a tarball with %s, writing nothing anywhere', async (_, entries, reason) => {
    const base = await tempDir();
    const outside = path.join(base, 'outside');
    await mkdir(outside);
    const dest = path.join(base, 'a', 'b', 'pkg');
    await mkdir(path.dirname(dest), { recursive: true });
    const bytes = makeTarball([{ path: 'package/index.js', content: 'ok' }, ...entries]);
    const error = await safeExtract({ bytes, dest, label: 'evil@6.6.6' }).catch((e: unknown) => e);
    expect(isSpkError(error, 'UNSAFE_TARBALL')).toBe(true);
    expect((error as Error).message).toMatch(/^refusing to extract evil@6\.6\.6: entry "[^"]+" /);
    expect((error as Error).message).toContain(reason);
    // The partial extraction was discarded and nothing appeared beside or above it.
    expect(await readdir(path.dirname(dest))).toEqual([]);
    expect((await readdir(base)).sort()).toEqual(['a', 'outside']);
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses an entry over the size limit', async () => {
    const dest = path.join(await tempDir(), 'pkg');
    const bytes = makeTarball([{ path: 'package/big.bin', content: Buffer.alloc(2048) }]);
    await expect(safeExtract({ bytes, dest, label: 'big@1.0.0', maxEntryBytes: 1024 })).rejects.toThrow(/entry "package\/big.bin" is 2048 bytes, over the limit of 1024/);
  });

  it('writes nothing through a symlink even when a later entry tries to', async () => {
    const base = await tempDir();
    const dest = path.join(base, 'pkg');
    const bytes = makeTarball([
      { path: 'package/lib/a.js', content: 'a' },
      { path: 'package/l', type: 'SymbolicLink', linkpath: 'lib' },
      { path: 'package/l/b.js', content: 'b' },
    ]);
    await expect(safeExtract({ bytes, dest, label: 'l@1.0.0' })).rejects.toThrow(/entry "package\/l\/b.js" would be written through the symbolic link "l"/);
    expect(await readdir(base)).toEqual([]);
  });

  it('refuses bytes that are not a tar archive', async () => {
    const dest = path.join(await tempDir(), 'pkg');
    const error = await safeExtract({ bytes: Buffer.from('definitely not a tarball'.repeat(30)), dest, label: 'junk@1.0.0' }).catch((e: unknown) => e);
    expect(isSpkError(error, 'UNSAFE_TARBALL')).toBe(true);
    await expect(readdir(dest)).rejects.toThrow(/ENOENT/);
  });
});
