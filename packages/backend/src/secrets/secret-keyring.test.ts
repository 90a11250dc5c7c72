import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../services.ts';
import { secretKeyFile } from './secret-key.ts';
import { createSecretKeyring } from './secret-keyring.ts';

describe('secret keyring rotation', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spk-keyring-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const readKey = async (file: string) => Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');

  it('keeps the only copy of the old key until a restart once a rotation failed after saving the new one', async () => {
    const keys = createSecretKeyring({ envValue: undefined, dataDir, logger: silentLogger });
    const first = await keys.load();
    expect(keys.origin()).toEqual({ source: 'file', file: secretKeyFile(dataDir), generated: true });

    // The commit fails after the new key was saved: values sealed with the first key may remain in the database.
    const second = randomBytes(32);
    const failed = keys.rotate(second, async (rotation) => {
      await rotation.persist();
      throw new Error('the commit failed');
    });
    await expect(failed).rejects.toThrow('the commit failed');
    expect(await readKey(secretKeyFile(dataDir))).toEqual(second);
    expect(await readKey(`${secretKeyFile(dataDir)}.previous`)).toEqual(first.key);

    // A further rotation would replace secret-key.previous, the only place the first key is kept: refused.
    const third = keys.rotate(randomBytes(32), async (rotation) => rotation.persist());
    await expect(third).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('restart the server first') });
    expect(await readKey(`${secretKeyFile(dataDir)}.previous`)).toEqual(first.key);

    // After a restart (whose migration re-seals the leftovers) rotations work again.
    const restarted = createSecretKeyring({ envValue: undefined, dataDir, logger: silentLogger });
    await restarted.load();
    expect(restarted.origin()).toMatchObject({ generated: false });
    await expect(restarted.rotate(randomBytes(32), async (rotation) => rotation.persist())).resolves.toMatchObject({ result: { source: 'file' } });
  });
});
