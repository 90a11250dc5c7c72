import { lstat, mkdir, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { walkListing, type PackageListing } from './package-listing.ts';
import { safeExtract } from './safe-extract.ts';
import { makeTarball, type TarEntrySpec } from './test-support/tarball.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';

const tempDir = useTempDirs();

const sorted = (listing: PackageListing) => ({
  dirs: [...listing.dirs].sort(),
  files: [...listing.files].sort(),
  symlinks: [...listing.symlinks].sort((a, b) => a.path.localeCompare(b.path)),
});
/** Many files in nested dirs, so writes are still in flight when a later entry is read. */
const manyFiles = (count: number): TarEntrySpec[] =>
  Array.from({ length: count }, (_, i) => ({ path: `package/lib/d${i % 7}/f${i}.js`, content: `module.exports = ${i};\n`.repeat(1 + (i % 50)) }));

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

  it('resolves to the listing a walk of the extracted package gives, parents first', async () => {
    const dest = path.join(await tempDir(), 'pkg');
    const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
    const bytes = makeTarball([
      { path: 'package/package.json', content: '{"name":"p"}' },
      { path: 'package/empty.txt', content: '' },
      { path: 'package/deep/er/still/file.js', content: 'x' },
      { path: 'package/deep', type: 'Directory' },
      { path: 'package/big.bin', content: big },
      { path: 'package/deep/link', type: 'SymbolicLink', linkpath: 'er/still/file.js' },
      { path: 'package/deep/er/copy.js', type: 'Link', linkpath: 'package/deep/er/still/file.js' },
      { path: 'package/bin/', type: 'Directory' },
      ...manyFiles(40),
    ]);
    const listing = await safeExtract({ bytes, dest, label: 'p@1.0.0' });
    expect(sorted(listing)).toEqual(sorted(await walkListing(dest)));
    expect(listing.files).toHaveLength(45);
    expect(listing.symlinks).toEqual([{ path: 'deep/link', target: 'er/still/file.js' }]);
    listing.dirs.forEach((dir, i) => expect(listing.dirs.slice(0, i)).toEqual(expect.arrayContaining(dir.includes('/') ? [path.posix.dirname(dir)] : [])));
    expect(Buffer.compare(await readFile(path.join(dest, 'big.bin')), big)).toBe(0);
    expect(await readFile(path.join(dest, 'empty.txt'), 'utf8')).toBe('');
    expect(await readFile(path.join(dest, 'lib/d3/f10.js'), 'utf8')).toBe('module.exports = 10;\n'.repeat(11));
  });

  it('removes everything already written when an entry late in the archive is refused', async () => {
    const base = await tempDir();
    const dest = path.join(base, 'pkg');
    const bytes = makeTarball([...manyFiles(300), { path: 'package/../escaped', content: 'x' }]);
    await expect(safeExtract({ bytes, dest, label: 'late@1.0.0' })).rejects.toThrow(/entry "package\/..\/escaped" has a path which contains a ".." segment/);
    expect(await readdir(base)).toEqual([]);
  });

  it('removes everything already written when the archive is cut off mid-stream', async () => {
    const base = await tempDir();
    const dest = path.join(base, 'pkg');
    const whole = makeTarball(manyFiles(300));
    const error = await safeExtract({ bytes: whole.subarray(0, Math.floor(whole.length * 0.6)), dest, label: 'cut@1.0.0' }).catch((e: unknown) => e);
    expect(isSpkError(error, 'UNSAFE_TARBALL')).toBe(true);
    expect((error as Error).message).toContain('cut@1.0.0');
    expect(await readdir(base)).toEqual([]);
  });
});
