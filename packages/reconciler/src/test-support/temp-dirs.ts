// Every test gets its own temp dirs, removed after it, pass or fail.
import { mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { removeSealed } from '../sealed-dirs.ts';

export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    // Package dirs in the store are sealed read-only; a non-root user must unseal them first.
    await Promise.all(made.splice(0).map((dir) => removeSealed(dir)));
  });
  return async () => {
    const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'spk-reconciler-')));
    made.push(dir);
    return dir;
  };
}
