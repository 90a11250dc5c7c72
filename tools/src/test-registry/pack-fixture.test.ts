import { chmod, cp, mkdtemp, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ssri from 'ssri';
import { list } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from './list-fixtures.ts';
import { packFixture } from './pack-fixture.ts';

const ESM_1_1 = path.join(FIXTURES_DIR, 'spk-fixture-esm', '1.1.0');

async function entriesOf(tarball: Buffer): Promise<Array<{ path: string; mode: number; mtime: number }>> {
  const entries: Array<{ path: string; mode: number; mtime: number }> = [];
  const parser = list({
    onReadEntry: (entry) => entries.push({ path: entry.path, mode: entry.mode ?? -1, mtime: entry.mtime?.getTime() ?? -1 }),
  });
  const done = new Promise((resolve, reject) => {
    parser.on('close', resolve);
    parser.on('error', reject);
  });
  parser.end(tarball);
  await done;
  return entries;
}

describe('packFixture', () => {
  let copyDir = '';
  afterEach(async () => {
    if (copyDir) await rm(copyDir, { recursive: true, force: true });
  });

  it('gives byte-identical tarballs whatever the files mtimes and modes are', async () => {
    const original = await packFixture(ESM_1_1);
    copyDir = await mkdtemp(path.join(os.tmpdir(), 'spk-pack-'));
    await cp(ESM_1_1, copyDir, { recursive: true });
    await utimes(path.join(copyDir, 'index.js'), new Date('2001-02-03'), new Date('2001-02-03'));
    await chmod(path.join(copyDir, 'lib', 'extra.js'), 0o755);

    const copy = await packFixture(copyDir);
    expect(copy.tarball.equals(original.tarball)).toBe(true);
    expect(copy.integrity).toBe(original.integrity);
  });

  it('stores files under package/ in sorted order with fixed mode and mtime', async () => {
    const entries = await entriesOf((await packFixture(ESM_1_1)).tarball);
    expect(entries.map((entry) => entry.path)).toEqual(['package/index.js', 'package/lib/extra.js', 'package/package.json']);
    expect(new Set(entries.map((entry) => entry.mode))).toEqual(new Set([0o644]));
    expect(new Set(entries.map((entry) => entry.mtime)).size).toBe(1);
  });

  it('reports digests and size of the exact tarball bytes', async () => {
    const packed = await packFixture(ESM_1_1);
    expect(packed.manifest).toMatchObject({ name: 'spk-fixture-esm', version: '1.1.0' });
    expect(packed.size).toBe(packed.tarball.length);
    expect(ssri.checkData(packed.tarball, packed.integrity)).toBeTruthy();
    expect(packed.integrity.startsWith('sha512-')).toBe(true);
    expect(packed.shasum).toMatch(/^[0-9a-f]{40}$/);
  });
});
