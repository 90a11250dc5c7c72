// A converged host for script-run tests, laid out like a server's: the data dir sits inside a
// "repository" with source files a script must not import, and holds an admin-token file and
// pglite/ files (mode 0600/0700, as the server keeps them) a script must not read.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createReconciler } from '../reconciler.ts';
import { runScript, type RunScriptOptions } from '../runs/run-script.ts';
import { blobSource, buildFixture, mixedPackages, versioned } from './fixtures.ts';

export const ADMIN_TOKEN_TEXT = 'spk_test-admin-token-never-readable';
export const PGLITE_TEXT = 'pglite page with registry tokens';

export async function convergedRunHost(tempDir: () => Promise<string>) {
  const repo = await tempDir();
  await writeFile(path.join(repo, 'secret-source.mjs'), "export default 'repository source';\n");
  await writeFile(path.join(repo, 'secret-source.cjs'), "module.exports = 'repository source';\n");
  const dataDir = path.join(repo, 'data');
  const fixture = await buildFixture([...mixedPackages, versioned('1.0.0')]);
  const reconciler = createReconciler({ dataDir, fetchBlob: blobSource(fixture).fetchBlob });
  await reconciler.reconcile(fixture);
  const adminToken = path.join(dataDir, 'admin-token');
  await writeFile(adminToken, `${ADMIN_TOKEN_TEXT}\n`, { mode: 0o600 });
  const pglite = path.join(dataDir, 'pglite');
  await mkdir(path.join(pglite, 'base'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(pglite, 'base', '1'), PGLITE_TEXT, { mode: 0o600 });
  await chmod(pglite, 0o700);
  const run = (source: string, extra: Partial<Pick<RunScriptOptions, 'settings' | 'env' | 'timeoutMs' | 'filename'>> = {}) =>
    runScript({ dataDir, expectedHash: fixture.lockfileHash, filename: 'script.mjs', source, timeoutMs: 10_000, ...extra });
  return { repo, dataDir, fixture, adminToken, pglite, pgliteFile: path.join(pglite, 'base', '1'), run };
}
