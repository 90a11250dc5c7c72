import { describe, expect, it } from 'vitest';
import { createTarEntryPolicy, type TarEntryHeader } from './tar-entry-policy.ts';

const file = (path: string, size = 1): TarEntryHeader => ({ path, type: 'File', size });
const symlink = (path: string, linkpath: string): TarEntryHeader => ({ path, type: 'SymbolicLink', linkpath, size: 0 });
const hardlink = (path: string, linkpath: string): TarEntryHeader => ({ path, type: 'Link', linkpath, size: 0 });

function reasonFor(...headers: TarEntryHeader[]): string | null {
  const policy = createTarEntryPolicy({ maxEntryBytes: 1000 });
  for (const header of headers) {
    const verdict = policy.check(header);
    if (verdict.action === 'refuse') return verdict.reason;
  }
  return policy.finish()?.reason ?? null;
}

describe('tar entry policy', () => {
  it('strips the first path segment whatever the top folder is called', () => {
    const policy = createTarEntryPolicy();
    expect(policy.check(file('package/lib/a.js'))).toEqual({ action: 'extract', kind: 'file', path: 'lib/a.js' });
    expect(policy.check(file('node-v1.2/index.js'))).toEqual({ action: 'extract', kind: 'file', path: 'index.js' });
    expect(policy.check(file('package//lib/./b.js'))).toEqual({ action: 'extract', kind: 'file', path: 'lib/b.js' });
    // As with npm (tar strip 1), a "./" prefix is the top folder of a tarball made with `tar -C dir .`.
    expect(policy.check(file('./package.json'))).toEqual({ action: 'extract', kind: 'file', path: 'package.json' });
  });

  it('skips the top folder itself and stray files beside it', () => {
    const policy = createTarEntryPolicy();
    expect(policy.check({ path: 'package/', type: 'Directory', size: 0 })).toEqual({ action: 'skip' });
    expect(policy.check(file('README'))).toEqual({ action: 'skip' });
  });

  it.each([
    ['an absolute path', [file('/etc/passwd')], 'is absolute'],
    ['a Windows drive path', [file('C:/x/y')], 'is absolute'],
    ['a ".." segment', [file('package/../../evil')], 'contains a ".." segment'],
    ['a ".." after the top folder', [file('package/lib/../../../evil')], 'contains a ".." segment'],
    ['a backslash', [file('package/..\\..\\evil')], 'contains a backslash'],
    ['a character device', [{ path: 'package/tty', type: 'CharacterDevice', size: 0 }], 'is a character device'],
    ['a block device', [{ path: 'package/sda', type: 'BlockDevice', size: 0 }], 'is a block device'],
    ['a FIFO', [{ path: 'package/pipe', type: 'FIFO', size: 0 }], 'is a FIFO'],
    ['an oversized entry', [file('package/big.bin', 1001)], 'over the limit of 1000 bytes'],
    ['a symlink to an absolute path', [symlink('package/l', '/etc')], 'absolute path "/etc"'],
    ['a symlink out of the package', [symlink('package/lib/l', '../../x')], 'resolves outside the package'],
    ['a write through a symlink', [symlink('package/l', 'lib'), file('package/l/x.js')], 'through the symbolic link "l"'],
    ['a hard link to an absolute path', [hardlink('package/h', '/etc/passwd')], 'which is absolute'],
    ['a hard link out of the package', [hardlink('package/h', 'package/../../etc/passwd')], 'contains a ".." segment'],
    ['a hard link to a symlink', [symlink('package/a/l', '../x'), hardlink('package/h', 'package/a/l')], 'not a regular file earlier in the archive'],
    ['a hard link through a symlink', [file('package/a/f'), symlink('package/l', 'a'), hardlink('package/h', 'package/l/f')], 'not a regular file earlier in the archive'],
    ['a hard link to a file not (yet) in the archive', [hardlink('package/h', 'package/later.js'), file('package/later.js')], 'not a regular file earlier in the archive'],
    ['an entry below a file', [file('package/a'), file('package/a/b')], 'below "a", which is a file'],
    ['a second entry at the same path', [file('package/a.js'), file('package/a.js')], 'appears more than once'],
    ['a file replacing a symlink', [symlink('package/l', 'lib'), file('package/l')], 'appears more than once'],
    ['a symlink climbing out of another symlink', [symlink('package/up', '.'), symlink('package/x/y', '../up/../z')], 'climbs out of the symbolic link "up"'],
  ])('refuses %s', (_, headers, reason) => {
    expect(reasonFor(...headers)).toContain(reason);
  });

  it('accepts symlinks and hard links that stay inside the package', () => {
    expect(reasonFor(file('package/lib/a.js'), symlink('package/bin/a', '../lib/a.js'), hardlink('package/b.js', 'package/lib/a.js'))).toBeNull();
    const policy = createTarEntryPolicy();
    policy.check(file('package/lib/a.js'));
    expect(policy.check(hardlink('package/b.js', 'package/lib/a.js'))).toEqual({ action: 'extract', kind: 'hardlink', path: 'b.js', target: 'lib/a.js' });
  });

  it('accepts a directory entry repeated or listed after files inside it', () => {
    expect(reasonFor(file('package/lib/a.js'), { path: 'package/lib/', type: 'Directory', size: 0 }, { path: 'package/lib', type: 'Directory', size: 0 })).toBeNull();
  });
});
