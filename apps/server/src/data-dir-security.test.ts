import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareDataDir } from '@spk/reconciler';
import { securePrivateContents } from './data-dir-security.ts';

const modeOf = async (p: string) => (await stat(p)).mode & 0o7777;

describe('data dir modes', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spk-modes-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('with traversable, the data dir is 0711 while the database, token and scratch stay owner-only', async () => {
    const dataDir = path.join(root, 'data');
    await mkdir(path.join(dataDir, 'pglite', 'base'), { recursive: true, mode: 0o777 });
    await mkdir(path.join(dataDir, 'tmp', 'install-x'), { recursive: true, mode: 0o777 });
    await writeFile(path.join(dataDir, 'pglite', 'base', '1'), 'x', { mode: 0o666 });
    await writeFile(path.join(dataDir, 'admin-token'), 'x', { mode: 0o666 });
    await chmod(path.join(dataDir, 'pglite', 'base', '1'), 0o666);
    await chmod(path.join(dataDir, 'admin-token'), 0o666);

    await prepareDataDir(dataDir, { traversable: true });
    await securePrivateContents(dataDir);

    expect(await modeOf(dataDir)).toBe(0o711);
    expect(await modeOf(path.join(dataDir, 'pglite'))).toBe(0o700);
    expect(await modeOf(path.join(dataDir, 'pglite', 'base'))).toBe(0o700);
    expect(await modeOf(path.join(dataDir, 'pglite', 'base', '1'))).toBe(0o600);
    expect(await modeOf(path.join(dataDir, 'admin-token'))).toBe(0o600);
    expect(await modeOf(path.join(dataDir, 'tmp', 'install-x'))).toBe(0o700);

    await prepareDataDir(dataDir);
    expect(await modeOf(dataDir)).toBe(0o700);
  });

  it('never follows a symlink out of the data dir while fixing modes', async () => {
    const dataDir = path.join(root, 'data');
    const outside = path.join(root, 'outside.txt');
    await writeFile(outside, 'x');
    await chmod(outside, 0o644);
    await mkdir(path.join(dataDir, 'pglite'), { recursive: true });
    await symlink(outside, path.join(dataDir, 'pglite', 'link'));
    await symlink(outside, path.join(dataDir, 'admin-token'));

    await prepareDataDir(dataDir);
    await securePrivateContents(dataDir);

    expect(await modeOf(outside)).toBe(0o644);
  });

  it('refuses a shared sticky directory such as /tmp instead of making it private', async () => {
    const shared = path.join(root, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o1777);
    await expect(prepareDataDir(shared)).rejects.toMatchObject({ code: 'DATA_DIR_UNUSABLE', message: expect.stringMatching(/directory of its own/) });
    expect(await modeOf(shared)).toBe(0o1777);
  });
});
