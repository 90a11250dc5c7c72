import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { safeExtract } from './safe-extract.ts';
import { checkTarball } from './tarball-check.ts';
import { makeTarball, type TarEntrySpec } from './test-support/tarball.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';

const tempDir = useTempDirs();

const ok: TarEntrySpec = { path: 'package/index.js', content: 'ok' };
const cases: Array<[string, TarEntrySpec[]]> = [
  ['path traversal', [{ path: 'package/../../escaped', content: 'x' }]],
  ['an absolute path', [{ path: '/tmp/escaped', content: 'x' }]],
  ['a symlink out', [{ path: 'package/escaped', type: 'SymbolicLink', linkpath: '../../..' }]],
  ['a write through a symlink', [{ path: 'package/l', type: 'SymbolicLink', linkpath: 'lib' }, { path: 'package/l/b.js', content: 'b' }]],
  ['a hard link out', [{ path: 'package/escaped', type: 'Link', linkpath: '../../outside/secret' }]],
  ['a character device', [{ path: 'package/escaped', type: 'CharacterDevice' }]],
  ['a FIFO', [{ path: 'package/escaped', type: 'FIFO' }]],
  ['a duplicate entry', [{ path: 'package/index.js', content: 'again' }]],
  ['a symlink climbing out of another symlink', [
    { path: 'package/a/b/c.js', content: 'c' },
    { path: 'package/l', type: 'SymbolicLink', linkpath: 'a/b' },
    { path: 'package/m', type: 'SymbolicLink', linkpath: 'l/../../..' },
  ]],
];

async function extractError(bytes: Uint8Array, label: string, maxEntryBytes?: number): Promise<unknown> {
  const dest = path.join(await tempDir(), 'pkg');
  return safeExtract({ bytes, dest, label, ...(maxEntryBytes === undefined ? {} : { maxEntryBytes }) }).then(() => null, (e: unknown) => e);
}

describe('checkTarball', () => {
  it('accepts a package with inner symlinks and hard links, as extraction does', async () => {
    const bytes = makeTarball([
      { path: 'package/package.json', content: '{}' },
      { path: 'package/lib/a.js', content: 'a' },
      { path: 'package/bin/a', type: 'SymbolicLink', linkpath: '../lib/a.js' },
      { path: 'package/b.js', type: 'Link', linkpath: 'package/lib/a.js' },
    ]);
    await expect(checkTarball({ bytes, label: 'n@1.0.0' })).resolves.toBeUndefined();
    expect(await extractError(bytes, 'n@1.0.0')).toBeNull();
  });

  it.each(cases)('refuses a tarball with %s, naming the package and the entry extraction refuses', async (_, entries) => {
    const bytes = makeTarball([ok, ...entries]);
    const checked = await checkTarball({ bytes, label: 'evil@6.6.6' }).then(() => null, (e: unknown) => e);
    const extracted = await extractError(bytes, 'evil@6.6.6');
    expect(isSpkError(checked, 'UNSAFE_TARBALL')).toBe(true);
    expect(isSpkError(extracted, 'UNSAFE_TARBALL')).toBe(true);
    expect((checked as Error).message).toMatch(/^the tarball of evil@6\.6\.6 is unsafe: entry "[^"]+" /);
    // One policy: the check refuses the same entry, for the same reason, as the host would.
    expect((checked as { details: unknown }).details).toEqual((extracted as { details: unknown }).details);
  });

  it('applies the same default entry-size limit as extraction, and a smaller one when asked', async () => {
    const bytes = makeTarball([{ path: 'package/big.bin', content: Buffer.alloc(2048) }]);
    await expect(checkTarball({ bytes, label: 'big@1.0.0' })).resolves.toBeUndefined();
    const checked = await checkTarball({ bytes, label: 'big@1.0.0', maxEntryBytes: 1024 }).then(() => null, (e: unknown) => e);
    expect((checked as Error).message).toContain('entry "package/big.bin" is 2048 bytes, over the limit of 1024');
    expect((checked as { details: unknown }).details).toEqual(((await extractError(bytes, 'big@1.0.0', 1024)) as { details: unknown }).details);
  });

  it('refuses bytes that are not a tar archive, and a truncated archive', async () => {
    const junk = await checkTarball({ bytes: Buffer.from('definitely not a tarball'.repeat(30)), label: 'junk@1.0.0' }).then(() => null, (e: unknown) => e);
    expect(isSpkError(junk, 'UNSAFE_TARBALL')).toBe(true);
    expect(isSpkError(await extractError(Buffer.from('definitely not a tarball'.repeat(30)), 'junk@1.0.0'), 'UNSAFE_TARBALL')).toBe(true);

    const whole = makeTarball([ok, { path: 'package/lib.js', content: 'x'.repeat(4000) }]);
    const truncated = whole.subarray(0, Math.floor(whole.length / 2));
    const checked = await checkTarball({ bytes: truncated, label: 'cut@1.0.0' }).then(() => null, (e: unknown) => e);
    expect(isSpkError(checked, 'UNSAFE_TARBALL')).toBe(true);
    expect(isSpkError(await extractError(truncated, 'cut@1.0.0'), 'UNSAFE_TARBALL')).toBe(true);
  });
});
