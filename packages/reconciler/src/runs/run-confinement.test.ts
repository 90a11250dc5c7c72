import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import inspector from 'node:inspector';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dataLayout } from '../data-layout.ts';
import { stopsRunning } from '../test-support/process-state.ts';
import { ADMIN_TOKEN_TEXT, convergedRunHost } from '../test-support/run-host.ts';
import { useTempDirs } from '../test-support/temp-dirs.ts';

const tempDir = useTempDirs();

/** A script that tries `body` and reports whether it was allowed, and if not, the error code. */
const attempt = (body: string, imports = '') => `${imports}
const attempt = async () => { ${body} };
let outcome;
try { const value = await attempt(); outcome = { allowed: true, value: value === undefined ? null : String(value).slice(0, 200) }; }
catch (error) { outcome = { allowed: false, code: error?.code ?? String(error) }; }
export default outcome;`;

const denied = { allowed: false, code: 'ERR_ACCESS_DENIED' };


describe("a script run cannot reach the server's secrets", () => {
  it('control: a process without the permission model reads the parent environ, the admin token and pglite', async () => {
    const { adminToken, pgliteFile } = await convergedRunHost(tempDir);
    const { stdout } = await promisify(execFile)(process.execPath, [
      '-e',
      `const fs = require('fs'); console.log([fs.readFileSync('/proc/${process.pid}/environ').length > 0, fs.readFileSync(${JSON.stringify(adminToken)}, 'utf8').trim(), fs.readFileSync(${JSON.stringify(pgliteFile)}, 'utf8')].join('|'))`,
    ]);
    expect(stdout.trim()).toBe(`true|${ADMIN_TOKEN_TEXT}|pglite page with registry tokens`);
  });

  it("refuses reading the server's /proc/<ppid>/environ (and its own)", async () => {
    const { run } = await convergedRunHost(tempDir);
    expect((await run(attempt("return readFileSync(`/proc/${process.ppid}/environ`, 'utf8');", "import { readFileSync } from 'node:fs';"))).result).toEqual(denied);
    expect((await run(attempt("return readFileSync('/proc/self/environ', 'utf8');", "import { readFileSync } from 'node:fs';"))).result).toEqual(denied);
  });

  it('refuses reading the admin-token file and PGlite files, or listing the data dir', async () => {
    const { run, adminToken, pglite, pgliteFile, dataDir } = await convergedRunHost(tempDir);
    const env = { TOKEN: adminToken, PGLITE: pglite, PGFILE: pgliteFile, DATA: dataDir };
    const imports = "import { readFileSync, readdirSync } from 'node:fs';";
    expect((await run(attempt("return readFileSync(process.env.TOKEN, 'utf8');", imports), { env })).result).toEqual(denied);
    expect((await run(attempt('return readdirSync(process.env.PGLITE).join();', imports), { env })).result).toEqual(denied);
    expect((await run(attempt("return readFileSync(process.env.PGFILE, 'utf8');", imports), { env })).result).toEqual(denied);
    expect((await run(attempt('return readdirSync(process.env.DATA).join();', imports), { env })).result).toEqual(denied);
    // Relative to the run dir (the script's cwd) too.
    expect((await run(attempt("return readFileSync('../../admin-token', 'utf8');", imports))).result).toEqual(denied);
  });

  it('ignores NODE_OPTIONS that would widen the permission model', async () => {
    const { run, adminToken } = await convergedRunHost(tempDir);
    const result = await run(attempt("return readFileSync(process.env.TOKEN, 'utf8');", "import { readFileSync } from 'node:fs';"), {
      env: { TOKEN: adminToken, NODE_OPTIONS: '--allow-fs-read=/' },
    });
    expect(result.result).toEqual(denied);
  });

  it('refuses importing or requiring a repository file by relative or absolute path', async () => {
    const { run, repo } = await convergedRunHost(tempDir);
    const env = { REPO: repo };
    // The run dir is <repo>/data/.runs/<runId>/.
    expect((await run(attempt("return (await import('../../../secret-source.mjs')).default;"), { env })).result).toEqual(denied);
    expect((await run(attempt("return (await import(process.env.REPO + '/secret-source.mjs')).default;"), { env })).result).toEqual(denied);
    const requiring = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
    expect((await run(attempt("return require('../../../secret-source.cjs');", requiring), { env })).result).toEqual(denied);
    expect((await run(attempt("return require(process.env.REPO + '/secret-source.cjs');", requiring), { env })).result).toEqual(denied);
  });

  it('refuses node:sqlite, which would open files outside the permission model', async () => {
    const { run, dataDir } = await convergedRunHost(tempDir);
    const result = await run(attempt("const { DatabaseSync } = await import('node:sqlite'); new DatabaseSync(process.env.DB); return 'opened';"), {
      env: { DB: path.join(dataDir, 'created-by-script.db') },
    });
    expect(result.result).toEqual({ allowed: false, code: 'ERR_UNKNOWN_BUILTIN_MODULE' });
    expect(await readdir(dataDir)).not.toContain('created-by-script.db');
  });

  it("cannot open the server's inspector by sending it SIGUSR1", async () => {
    const { run } = await convergedRunHost(tempDir);
    const result = await run("process.kill(process.ppid, 'SIGUSR1'); await new Promise((r) => setTimeout(r, 300)); export default 'sent';");
    expect(result.result).toBe('sent');
    expect(inspector.url()).toBeUndefined();
  });
});

describe('a script run cannot change any tree or the extracted store', () => {
  it('refuses writing into the pinned tree, the extracted store, or a hard link made to a tree file', async () => {
    const { run, dataDir, fixture } = await convergedRunHost(tempDir);
    const layout = dataLayout(dataDir);
    const treeFile = path.join(layout.treeDir(fixture.lockfileHash), 'node_modules', 'ver', 'index.js');
    const [storeEntry] = await readdir(layout.extractedDir);
    const storeFile = path.join(layout.extractedDir, storeEntry!, 'package.json');
    const before = await Promise.all([readFile(treeFile, 'utf8'), readFile(storeFile, 'utf8')]);
    const env = { TREE_FILE: treeFile, STORE_FILE: storeFile };
    const imports = "import fs from 'node:fs'; import path from 'node:path';";

    expect((await run(attempt("fs.appendFileSync('node_modules/ver/index.js', 'poison'); return 'written';", imports))).result).toEqual(denied);
    expect((await run(attempt("fs.appendFileSync(process.env.TREE_FILE, 'poison'); return 'written';", imports), { env })).result).toEqual(denied);
    expect((await run(attempt("fs.writeFileSync(process.env.STORE_FILE, 'poison'); return 'written';", imports), { env })).result).toEqual(denied);
    expect((await run(attempt("fs.chmodSync(process.env.TREE_FILE, 0o666); return 'changed';", imports), { env })).result).toEqual(denied);
    expect((await run(attempt("fs.renameSync(process.env.TREE_FILE, path.join(process.env.TMPDIR, 'moved.js')); return 'moved';", imports), { env })).result).toEqual(denied);
    const viaLink = "const link = path.join(process.env.TMPDIR, 'link.js'); fs.linkSync(process.env.TREE_FILE, link); fs.appendFileSync(link, 'poison'); return 'written';";
    expect((await run(attempt(viaLink, imports), { env })).result).toEqual(denied);
    expect((await run(attempt("fs.symlinkSync(process.env.TREE_FILE, path.join(process.env.TMPDIR, 's.js')); return 'linked';", imports), { env })).result).toEqual(denied);

    expect(await Promise.all([readFile(treeFile, 'utf8'), readFile(storeFile, 'utf8')])).toEqual(before);
  });

  it('may write its own temp dir, and nowhere else', async () => {
    const { run } = await convergedRunHost(tempDir);
    const imports = "import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';";
    const tmp = await run(attempt("fs.writeFileSync(path.join(os.tmpdir(), 'x'), 'ok'); return fs.readFileSync(path.join(os.tmpdir(), 'x'), 'utf8');", imports));
    expect(tmp.result).toEqual({ allowed: true, value: 'ok' });
    expect((await run(attempt("fs.writeFileSync('beside-the-script.txt', 'x'); return 'written';", imports))).result).toEqual(denied);
  });
});

describe('a script run starts no processes or threads unless allowed, and none outlive it', () => {
  const spawnDetached = "const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' }); child.unref(); return child.pid;";

  it('refuses spawning a child, a detached grandchild, or a worker by default', async () => {
    const { run } = await convergedRunHost(tempDir);
    expect((await run(attempt("return execSync('id').toString();", "import { execSync } from 'node:child_process';"))).result).toEqual(denied);
    expect((await run(attempt(spawnDetached, "import { spawn } from 'node:child_process';"))).result).toEqual(denied);
    expect((await run(attempt("new Worker('1', { eval: true }); return 'started';", "import { Worker } from 'node:worker_threads';"))).result).toEqual(denied);
  });

  it('with child processes allowed, kills a detached (setsid) grandchild and a double-forked one when the run ends', async () => {
    const { run } = await convergedRunHost(tempDir);
    const settings = { allowChildProcess: true };
    const detached = await run(attempt(spawnDetached, "import { spawn } from 'node:child_process';"), { settings });
    expect(detached.result).toMatchObject({ allowed: true });
    const doubleForked = await run(
      attempt(
        "return execFileSync('setsid', ['sh', '-c', 'sleep 300 >/dev/null 2>&1 & echo $!']).toString().trim();",
        "import { execFileSync } from 'node:child_process';",
      ),
      { settings },
    );
    expect(doubleForked.result).toMatchObject({ allowed: true });
    for (const pid of [detached, doubleForked].map((r) => Number((r.result as { value: string }).value))) {
      expect(pid).toBeGreaterThan(0);
      // SIGKILL is delivered asynchronously: allow the kernel a moment to end the process.
      expect(await stopsRunning(pid)).toBe(true);
    }
  });

  it('with workers allowed, a worker may start', async () => {
    const { run } = await convergedRunHost(tempDir);
    const result = await run(
      attempt(
        "const w = new Worker('require(\"node:worker_threads\").parentPort.postMessage(42)', { eval: true }); const [m] = await once(w, 'message'); await w.terminate(); return m;",
        "import { Worker } from 'node:worker_threads'; import { once } from 'node:events';",
      ),
      { settings: { allowWorker: true } },
    );
    expect(result.result).toEqual({ allowed: true, value: '42' });
  });
});
