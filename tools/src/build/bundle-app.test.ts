// The app build on a small app of its own: what the sources open by `new URL(..., import.meta.url)`
// ends up beside the bundle and runs from there; the stamp tells a changed source from a touched
// one; and a CommonJS bundle never runs on another bundle's code cache.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStamp } from './build-stamp.mjs';
import { bundleApp } from './bundle-app.mjs';

const run = promisify(execFile);

let app: string;
beforeEach(async () => {
  app = await mkdtemp(path.join(tmpdir(), 'spk-bundle-app-'));
  await mkdir(path.join(app, 'src'));
});
afterEach(() => rm(app, { recursive: true, force: true }));

const write = (rel: string, text: string) => writeFile(path.join(app, rel), text);
const sources = {
  'src/main.ts': [
    "import { execFileSync } from 'node:child_process';",
    "import { once } from 'node:events';",
    "import { fileURLToPath } from 'node:url';",
    "import { Worker } from 'node:worker_threads';",
    "const worker = new Worker(new URL('./worker.ts', import.meta.url));",
    "const [fromWorker] = await once(worker, 'message');",
    "const fromChild = execFileSync(process.execPath, [fileURLToPath(new URL('./child.mjs', import.meta.url))], { encoding: 'utf8' });",
    'console.log(`${fromWorker} ${fromChild.trim()}`);',
  ].join('\n'),
  'src/worker.ts': "import { parentPort } from 'node:worker_threads';\nimport { GREETING } from './greeting.ts';\nparentPort!.postMessage(GREETING);\n",
  'src/greeting.ts': "export const GREETING: string = 'worker';\n",
  'src/child.mjs': "console.log('child');\n",
};
const spec = { entry: 'src/main.ts', bundle: 'main.mjs', bundleDependencies: true, copy: [] };

describe('bundleApp', () => {
  it('bundles a TypeScript worker and copies a JavaScript child the sources start by URL, and the bundle runs both', async () => {
    for (const [rel, text] of Object.entries(sources)) await write(rel, text);
    await bundleApp(app, spec);
    expect((await readdir(path.join(app, 'dist'))).sort()).toEqual(['build-stamp.json', 'child.mjs', 'main.mjs', 'worker.mjs']);
    // Run from elsewhere, with the sources gone: the bundle needs only dist/.
    await rm(path.join(app, 'src'), { recursive: true });
    const { stdout } = await run(process.execPath, [path.join(app, 'dist/main.mjs')], { cwd: tmpdir() });
    expect(stdout).toBe('worker child\n');
  });

  it('keeps a build fresh across a touch, and makes it stale when a source or an output changes', async () => {
    for (const [rel, text] of Object.entries(sources)) await write(rel, text);
    await bundleApp(app, spec);
    expect(checkStamp(app)).toEqual({ fresh: true, bundle: 'main.mjs' });

    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(app, 'src/greeting.ts'), later, later);
    expect(checkStamp(app).fresh).toBe(true);

    await write('src/greeting.ts', "export const GREETING: string = 'changed';\n");
    expect(checkStamp(app)).toEqual({ fresh: false, reason: 'src/greeting.ts changed' });
    await bundleApp(app, spec);
    expect(checkStamp(app).fresh).toBe(true);

    await rm(path.join(app, 'dist/worker.mjs'));
    expect(checkStamp(app)).toEqual({ fresh: false, reason: 'dist/worker.mjs is missing or was changed' });
  });

  it('refuses a bundle esbuild warns about, rather than one that misbehaves at run time', async () => {
    await write('src/main.ts', "import { missing } from './other.ts';\nconsole.log(missing);\n");
    await write('src/other.ts', 'export const present = 1;\n');
    await expect(bundleApp(app, spec)).rejects.toThrow(/missing/);
    expect(checkStamp(app).fresh).toBe(false);
  });
});

describe('requireCached', () => {
  it('never runs a bundle on the code cache of another bundle of the same length', async () => {
    const load = async (value: string) => {
      await write('dist/app.cjs', `module.exports.value = '${value}';\n`);
      const script = `import { requireCached } from ${JSON.stringify(path.join(import.meta.dirname, 'require-cached.mjs'))};\nconsole.log(requireCached(${JSON.stringify(path.join(app, 'dist/app.cjs'))}).value);`;
      return (await run(process.execPath, ['--input-type=module', '-e', script])).stdout.trim();
    };
    await mkdir(path.join(app, 'dist'));
    expect(await load('one')).toBe('one');
    expect(await readdir(path.join(app, 'dist'))).toContain('app.cjs.v8cache');
    expect(await load('one')).toBe('one');
    expect(await load('two')).toBe('two');
  });
});
