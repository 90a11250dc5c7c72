import { describe, expect, it } from 'vitest';
import { diffContents } from './contents-diff.ts';
import type { DiskEntries, DiskEntry } from './disk-entries.ts';
import type { ExpectedEntry } from './tarball-contents.ts';

const file = (sha256: string, executable = false): ExpectedEntry => ({ kind: 'file', size: 3, sha256, executable });
const onDisk = (sha256: string | null, mode = 0o444): DiskEntry => ({ kind: 'file', mode, size: 3, inode: '1:1', sha256 });
const dir: ExpectedEntry = { kind: 'dir' };
const sealed: DiskEntry = { kind: 'dir', mode: 0o555 };
const store = { dirWriteMask: 0o222 };

const expected = new Map<string, ExpectedEntry>([
  ['', dir],
  ['index.js', file('a')],
  ['bin', dir],
  ['bin/cli.js', file('b', true)],
  ['lib', dir],
  ['lib/x.js', file('c')],
  ['lib/y.js', file('d')],
  ['link', { kind: 'symlink', target: 'index.js' }],
]);
const intact = (): DiskEntries =>
  new Map<string, DiskEntry>([
    ['', sealed],
    ['index.js', onDisk('a')],
    ['bin', sealed],
    ['bin/cli.js', onDisk('b', 0o555)],
    ['lib', sealed],
    ['lib/x.js', onDisk('c')],
    ['lib/y.js', onDisk('d')],
    ['link', { kind: 'symlink', target: 'index.js' }],
  ]);

describe('diffContents', () => {
  it('finds nothing in an intact package, nor in a file marked executable as a bin target, nor in an unhashed file', () => {
    const disk = intact();
    disk.set('index.js', onDisk('a', 0o555));
    disk.set('lib/x.js', onDisk(null));
    expect(diffContents(expected, disk, store)).toEqual([]);
  });

  it('refuses write bits, special bits and a lost exec bit, on files and on store directories', () => {
    const disk = intact();
    disk.set('index.js', onDisk('a', 0o644));
    disk.set('lib/x.js', onDisk('c', 0o4444));
    disk.set('bin/cli.js', onDisk('b', 0o444));
    disk.set('lib', { kind: 'dir', mode: 0o755 });
    expect(diffContents(expected, disk, store).map(({ file, kind }) => [file, kind])).toEqual([
      ['index.js', 'mode'],
      ['lib', 'mode'],
      ['bin/cli.js', 'mode'],
      ['lib/x.js', 'mode'],
    ]);
    // A tree's own directories may be writable by their owner.
    expect(diffContents(expected, new Map([...intact(), ['lib', { kind: 'dir', mode: 0o755 }]]), { dirWriteMask: 0o022 })).toEqual([]);
  });

  it('reports a missing or replaced directory once, not every path below it', () => {
    const disk = intact();
    disk.delete('lib');
    disk.delete('lib/x.js');
    disk.delete('lib/y.js');
    disk.set('bin', { kind: 'symlink', target: '/etc' });
    disk.delete('bin/cli.js');
    disk.set('planted', { kind: 'dir', mode: 0o755 });
    disk.set('planted/x.js', onDisk('z'));
    expect(diffContents(expected, disk, store)).toEqual([
      { file: 'bin', kind: 'type', problem: 'is a symbolic link where the package has a directory' },
      { file: 'lib', kind: 'missing', problem: 'is missing (a directory of the package)' },
      { file: 'planted', kind: 'unexpected', problem: 'is a directory that is not part of the package' },
    ]);
  });

  it('names changed bytes, a changed size and a redirected symlink', () => {
    const disk = intact();
    disk.set('index.js', onDisk('x'));
    disk.set('lib/y.js', { ...onDisk('d'), size: 40 } as DiskEntry);
    disk.set('link', { kind: 'symlink', target: '../../etc/passwd' });
    expect(diffContents(expected, disk, store)).toEqual([
      { file: 'index.js', kind: 'content', problem: 'its bytes differ from the tarball' },
      { file: 'link', kind: 'link', problem: 'points at "../../etc/passwd" instead of "index.js"' },
      { file: 'lib/y.js', kind: 'content', problem: 'it has 40 bytes, the tarball 3' },
    ]);
  });
});
