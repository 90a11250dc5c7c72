// The web console's build: Vite writes apps/web/dist, then a build stamp (build-stamp.mjs) records
// the sources it was built from, so ensureWebBuilt() (the browser test, before it starts a server)
// rebuilds only when they changed. `node tools/src/build/web-build.mjs [--force]` is the Nx `build`
// target of @spk/web. One build at a time per checkout: Vite empties dist/ before it writes.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkStamp, filesUnder, inputRecord, writeStamp } from './build-stamp.mjs';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const WEB_APP_DIR = path.join(ROOT, 'apps/web');
export const WEB_DIST_DIR = path.join(WEB_APP_DIR, 'dist');
const LOCK_FILE = path.join(ROOT, 'node_modules/.cache/spk-web-build.lock');
const LOCK_WAIT_MS = 10 * 60_000;
// Tests and their support files do not shape the build; a change to one must not cost a rebuild.
const TEST_FILE = /\.test\.[cm]?tsx?$/;
const isTestFile = (file) => TEST_FILE.test(file) || file.split(path.sep).includes('test-support');

const isFile = (file) => statSync(file, { throwIfNoEntry: false })?.isFile() === true;

/** The build's files below `dir`, as absolute paths (tests and their support left out). */
const sourcesUnder = (dir) =>
  filesUnder(dir)
    .filter((rel) => !isTestFile(rel))
    .map((rel) => path.join(dir, rel));

/** The workspace packages the console's code imports, transitively (devDependencies serve its tests only). */
function workspaceDependencies(packageDir, found = new Set()) {
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  for (const name of Object.keys(manifest.dependencies ?? {}).filter((n) => n.startsWith('@spk/'))) {
    const dir = realpathSync(path.join(ROOT, 'node_modules', name));
    if (!found.has(dir)) workspaceDependencies(dir, found.add(dir));
  }
  return found;
}

/** Every file the build reads from the workspace, and the lockfile npm rewrites when a dependency changes. */
function inputFiles() {
  const own = ['index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((f) => path.join(WEB_APP_DIR, f));
  const packages = [...workspaceDependencies(WEB_APP_DIR)].flatMap((dir) => [path.join(dir, 'package.json'), ...sourcesUnder(path.join(dir, 'src'))]);
  const build = ['web-build.mjs', 'build-stamp.mjs'].map((f) => path.join(import.meta.dirname, f));
  const shared = ['tsconfig.base.json', 'node_modules/.package-lock.json'].map((f) => path.join(ROOT, f));
  return [...own, ...sourcesUnder(path.join(WEB_APP_DIR, 'src')), ...sourcesUnder(path.join(WEB_APP_DIR, 'public')), ...packages, ...build, ...shared].filter(isFile);
}

/** Runs `vite build` in apps/web as a child (it must not share a process with a test runner's own Vite). */
async function runVite() {
  const require = createRequire(path.join(WEB_APP_DIR, 'package.json'));
  const manifestFile = require.resolve('vite/package.json');
  const bin = path.join(path.dirname(manifestFile), JSON.parse(readFileSync(manifestFile, 'utf8')).bin.vite);
  // NODE_ENV=test (set by vitest) would give a development build of React.
  const env = { ...process.env };
  delete env.NODE_ENV;
  const child = spawn(process.execPath, [bin, 'build'], { cwd: WEB_APP_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`vite could not build apps/web (exit code ${code}); fix the errors below and build again:\n${output}`);
  return output;
}

/** Builds apps/web/dist and stamps it; returns Vite's output. */
async function buildWeb() {
  // Read before Vite reads them: a file saved during the build is then stale at the next check.
  const inputs = inputFiles().map((file) => inputRecord(path.relative(WEB_APP_DIR, file), statSync(file), readFileSync(file)));
  const output = await runVite();
  const outputs = filesUnder(WEB_DIST_DIR).map((rel) => [rel, statSync(path.join(WEB_DIST_DIR, rel)).size]);
  writeStamp(WEB_DIST_DIR, { bundle: 'index.html', inputs, outputs });
  return output;
}

/** A lock left by a process that is gone; one whose pid is not written yet is young, so alive. */
function lockIsStale() {
  let text;
  try {
    text = readFileSync(LOCK_FILE, 'utf8');
  } catch {
    return false;
  }
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - (statSync(LOCK_FILE, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 30_000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}

async function withBuildLock(fn) {
  mkdirSync(path.dirname(LOCK_FILE), { recursive: true });
  for (const deadline = Date.now() + LOCK_WAIT_MS; ; ) {
    try {
      const fd = openSync(LOCK_FILE, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (lockIsStale()) rmSync(LOCK_FILE, { force: true });
    else if (Date.now() > deadline) throw new Error(`another build of apps/web has held ${LOCK_FILE} for ${LOCK_WAIT_MS / 60_000} minutes; if none is running, delete that file and build again`);
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_FILE, { force: true });
  }
}

/**
 * Builds apps/web/dist unless its stamp says it was built from the sources as they are now.
 * @param {{ force?: boolean, onBuild?: (reason: string) => void }} [options] force: build even when fresh
 * @returns {Promise<string>} the dist directory
 */
export async function ensureWebBuilt(options = {}) {
  if (!options.force && checkStamp(WEB_APP_DIR).fresh) return WEB_DIST_DIR;
  await withBuildLock(async () => {
    // Another process may have built it while this one waited for the lock.
    const check = options.force ? { fresh: false, reason: 'a build was asked for' } : checkStamp(WEB_APP_DIR);
    if (check.fresh) return;
    options.onBuild?.(check.reason);
    await buildWeb();
  });
  return WEB_DIST_DIR;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  let built = false;
  await ensureWebBuilt({
    force: process.argv.includes('--force'),
    onBuild: (reason) => {
      built = true;
      process.stderr.write(`building apps/web/dist (${reason})\n`);
    },
  });
  process.stderr.write(built ? 'built apps/web/dist\n' : 'apps/web/dist is up to date\n');
}
