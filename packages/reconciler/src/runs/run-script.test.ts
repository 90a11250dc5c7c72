import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import Module from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { createReconciler } from '../reconciler.ts';
import type { TreeLayout } from '../tree-plan.ts';
import { listRunPins, pinnedTreeHashes } from './run-pins.ts';
import { runScript } from './run-script.ts';
import { blobSource, buildFixture, mixedPackages, versioned, type FixturePackage } from '../test-support/fixtures.ts';
import { useTempDirs } from '../test-support/temp-dirs.ts';

const tempDir = useTempDirs();
const inThreadHooks = typeof (Module as { registerHooks?: unknown }).registerHooks === 'function';

/** A package of the tree that tries to require one that exists only above the data dir. */
const leaky: FixturePackage = {
  name: 'leaky',
  version: '1.0.0',
  files: { 'index.js': "try { require('only-above'); module.exports = 'leaked'; } catch (error) { module.exports = error.code; }\n" },
};

/**
 * A converged host whose data dir sits inside a "repository" that has its own node_modules
 * (with `only-above`) and a package.json declaring "type": "module".
 */
async function hostInsideRepo(treeLayout: TreeLayout = 'hardlinked') {
  const repo = await tempDir();
  await writeFile(path.join(repo, 'package.json'), JSON.stringify({ name: 'repo', type: 'module' }));
  await mkdir(path.join(repo, 'node_modules', 'only-above'), { recursive: true });
  await writeFile(path.join(repo, 'node_modules', 'only-above', 'package.json'), JSON.stringify({ name: 'only-above', main: 'index.js' }));
  await writeFile(path.join(repo, 'node_modules', 'only-above', 'index.js'), "module.exports = 'from the repository';\n");
  const dataDir = path.join(repo, 'data');
  const v1 = await buildFixture([...mixedPackages, leaky, versioned('1.0.0')]);
  const v2 = await buildFixture([...mixedPackages, leaky, versioned('2.0.0')]);
  const reconciler = createReconciler({ dataDir, fetchBlob: blobSource(v1, v2).fetchBlob, treeLayout });
  await reconciler.reconcile(v1);
  const run = (filename: string, source: string, extra: { timeoutMs?: number; env?: Record<string, string> } = {}) =>
    runScript({ dataDir, expectedHash: v1.lockfileHash, filename, source, timeoutMs: 10_000, ...extra });
  return { repo, dataDir, v1, v2, reconciler, run };
}

const runsLeft = async (dataDir: string) => (await readdir(path.join(dataDir, '.runs'))).filter((name) => !name.startsWith('.'));

describe.each(['hardlinked', 'linked-packages'] as const)('script resolution on a %s tree', (treeLayout) => {
  it('imports ESM, CommonJS, scoped and the right nested version from an .mjs script, with output apart from the result', async () => {
    const { run, v1, dataDir } = await hostInsideRepo(treeLayout);
    const result = await run(
      'check.mjs',
      `import esm, { kind } from 'esm-pkg';
       import cjs from 'cjs-pkg';
       import { scoped } from '@scope/tool';
       import dep from 'dep';
       console.log('to stdout');
       console.error('to stderr');
       export default { esm, kind, cjs, scoped, dep: dep.version };`,
    );
    expect(result).toMatchObject({ ok: true, lockfileHash: v1.lockfileHash, stdout: 'to stdout\n', stderr: 'to stderr\n', error: null });
    expect(result.result).toEqual({ esm: 'esm-pkg says hi', kind: 'esm', cjs: { kind: 'cjs', depVersion: '2.0.0' }, scoped: true, dep: '1.0.0' });
    expect(await runsLeft(dataDir)).toEqual([]);
  });

  it('requires packages from a .cjs script and returns module.exports', async () => {
    const { run } = await hostInsideRepo(treeLayout);
    const result = await run('check.cjs', "module.exports = { cjs: require('cjs-pkg'), dep: require('dep').version };");
    expect(result.result).toEqual({ cjs: { kind: 'cjs', depVersion: '2.0.0' }, dep: '1.0.0' });
  });

  it('cannot import or require a package that exists only in an ancestor node_modules', async () => {
    const { run, dataDir } = await hostInsideRepo(treeLayout);
    // Control: plain Node, started in the data dir, does find the repository's package.
    const plain = await promisify(execFile)(process.execPath, ['-p', "require.resolve('only-above')"], { cwd: dataDir });
    expect(plain.stdout).toContain(path.join('node_modules', 'only-above'));

    const esm = await run('esm.mjs', "import x from 'only-above'; export default x;");
    expect(esm.ok).toBe(false);
    // Node 20 has no in-thread ESM hooks, so there the permission model's refusal is what shows.
    expect(esm.error?.message).toMatch(inThreadHooks ? /Cannot find package 'only-above'/ : /Access to this API has been restricted \(FileSystemRead .*only-above/);
    const cjs = await run('cjs.cjs', "module.exports = require('only-above');");
    expect(cjs.ok).toBe(false);
    expect(cjs.error?.message).toContain("Cannot find module 'only-above'");
    expect((await run('leaky.mjs', "export { default } from 'leaky';")).result).toBe('MODULE_NOT_FOUND');
  });

  it('keeps a run started before a flip on its old tree, pinned while it runs', async () => {
    const { run, dataDir, v1, v2, reconciler } = await hostInsideRepo(treeLayout);
    // The import happens only after the flip below; the signal file is in the run's temp dir,
    // the one place outside its tree a script can see.
    const started = run(
      'pinned.mjs',
      `import { existsSync } from 'node:fs';
       import path from 'node:path';
       while (!existsSync(path.join(process.env.TMPDIR, 'go'))) await new Promise((resolve) => setTimeout(resolve, 10));
       const { default: version } = await import('ver');
       export default version;`,
    );
    while ((await listRunPins(dataDir)).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await pinnedTreeHashes(dataDir)).toEqual(new Set([v1.lockfileHash]));
    const [pin] = await listRunPins(dataDir);

    await reconciler.reconcile(v2);
    expect(await reconciler.currentHash()).toBe(v2.lockfileHash);
    await writeFile(path.join(dataDir, '.runs', pin!.runId, 'tmp', 'go'), '');
    expect(await started).toMatchObject({ ok: true, result: '1.0.0', lockfileHash: v1.lockfileHash });
    expect(await listRunPins(dataDir)).toEqual([]);

    const after = await runScript({ dataDir, expectedHash: v2.lockfileHash, filename: 'v.mjs', source: "export { default } from 'ver';", timeoutMs: 10_000 });
    expect(after.result).toBe('2.0.0');
  });
});

describe('runScript', () => {
  it('detects the module system of a .js script from its syntax, whatever an ancestor package.json declares', async () => {
    const { run } = await hostInsideRepo();
    expect((await run('a.js', "const { kind } = require('cjs-pkg'); module.exports = kind;")).result).toBe('cjs');
    expect((await run('b.js', "import v from 'ver'; export default v;")).result).toBe('1.0.0');
  });

  it('awaits a promise default export', async () => {
    const { run } = await hostInsideRepo();
    expect((await run('p.mjs', 'export default new Promise((resolve) => setTimeout(() => resolve([1, 2]), 20));')).result).toEqual([1, 2]);
  });

  it('tells a script that exports nothing from one that exports null', async () => {
    const { run } = await hostInsideRepo();
    const nothing = { ok: true, hasResult: false, result: null, error: null };
    expect(await run('side.mjs', "console.log('only output');")).toMatchObject({ ...nothing, stdout: 'only output\n' });
    expect(await run('named.mjs', 'export const x = 1;')).toMatchObject(nothing);
    expect(await run('undef.mjs', 'export default (async () => { await Promise.resolve(); })();')).toMatchObject(nothing);
    expect(await run('side.cjs', "console.log('cjs output');")).toMatchObject({ ...nothing, stdout: 'cjs output\n' });
    expect(await run('detected.js', "const { kind } = require('cjs-pkg'); console.log(kind);")).toMatchObject(nothing);

    const explicit = { ok: true, hasResult: true, result: null, error: null };
    expect(await run('null.mjs', 'export default null;')).toMatchObject(explicit);
    expect(await run('null.cjs', 'module.exports = null;')).toMatchObject(explicit);
    expect(await run('zero.mjs', 'export default 0;')).toMatchObject({ ...explicit, result: 0 });
    expect(await run('empty.mjs', 'export default {};')).toMatchObject({ ...explicit, result: {} });
    expect(await run('exports.cjs', 'exports.up = true;')).toMatchObject({ ...explicit, result: { up: true } });
  });

  it('reports a thrown error as RUN_FAILED with its message, the stack on stderr, and removes the run dir', async () => {
    const { run, dataDir } = await hostInsideRepo();
    const result = await run('fail.mjs', "throw new TypeError('nope');");
    expect(result).toMatchObject({ ok: false, result: null, error: { code: 'RUN_FAILED', message: 'TypeError: nope' } });
    expect(result.stderr).toContain('fail.mjs');
    expect(await runsLeft(dataDir)).toEqual([]);
  });

  it('kills a script that exceeds its timeout and reports RUN_TIMEOUT', async () => {
    const { run, dataDir } = await hostInsideRepo();
    const result = await run('slow.mjs', 'await new Promise(() => setInterval(() => {}, 1000));', { timeoutMs: 300 });
    expect(result.error).toEqual({
      code: 'RUN_TIMEOUT',
      message: 'the script did not finish within 300 ms and was killed; pass a longer timeoutMs (at most 600000 ms, set by SPK_RUN_MAX_TIMEOUT_MS)',
    });
    expect(result.durationMs).toBeLessThan(3000);
    expect(await runsLeft(dataDir)).toEqual([]);
  });

  it('fails fast with NOT_CONVERGED naming the expected and the present hash', async () => {
    const { dataDir, v1, v2 } = await hostInsideRepo();
    const error = await runScript({ dataDir, expectedHash: v2.lockfileHash, filename: 'x.mjs', source: 'export default 1', timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(isSpkError(error, 'NOT_CONVERGED')).toBe(true);
    expect((error as Error).message).toContain(v2.lockfileHash);
    expect((error as Error).message).toContain(v1.lockfileHash);

    const fresh = await tempDir();
    const none = await runScript({ dataDir: fresh, expectedHash: v1.lockfileHash, filename: 'x.mjs', source: 'export default 1', timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(isSpkError(none, 'NOT_CONVERGED')).toBe(true);
    expect((none as Error).message).toMatch(new RegExp(`${v1.lockfileHash}.*current tree is none`));
  });

  it('does not hand the host environment to the script', async () => {
    const { run } = await hostInsideRepo();
    process.env.SPK_TEST_SECRET = 'hunter2';
    try {
      const result = await run('env.mjs', 'export default { secret: process.env.SPK_TEST_SECRET ?? null, given: process.env.GIVEN };', { env: { GIVEN: 'yes' } });
      expect(result.result).toEqual({ secret: null, given: 'yes' });
    } finally {
      delete process.env.SPK_TEST_SECRET;
    }
  });
});
