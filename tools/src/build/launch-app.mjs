// What the apps' bins run in the repository: the app's bundle from dist/, once the build stamp
// says it was built from the sources as they are now (a stat per input: no Nx, no esbuild on
// this path). A missing or stale bundle is rebuilt first, in this process; where esbuild is not
// installed (no dev dependencies) the sources run through tsx instead.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkStamp } from './build-stamp.mjs';
import { requireCached } from './require-cached.mjs';

const missingPackage = (error, name) => error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(`'${name}'`);

async function importSources(appDir) {
  const { APP_BUNDLES } = await import('./app-bundles.mjs');
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(path.join(appDir, APP_BUNDLES[path.basename(appDir)].entry)).href);
}

/** Rebuilds dist/; null when esbuild is not installed. A failed build ends the process with esbuild's messages. */
async function rebuild(appDir, reason) {
  let bundleApp;
  try {
    ({ bundleApp } = await import('./bundle-app.mjs'));
  } catch (error) {
    if (missingPackage(error, 'esbuild')) return null;
    throw error;
  }
  const name = path.basename(appDir);
  if (process.stderr.isTTY) process.stderr.write(`building apps/${name}/dist (${reason})\n`);
  try {
    return (await bundleApp(appDir)).bundle;
  } catch (error) {
    process.stderr.write(`apps/${name}: could not build dist/ from the sources (${reason}):\n${error.message}\n`);
    process.exit(1);
  }
}

/**
 * Loads the app whose directory is `appUrl` (the bin's `new URL('..', import.meta.url)`) and returns its
 * entry's exports; an entry that runs on import (the server) has then started.
 */
export async function launchApp(appUrl) {
  const appDir = fileURLToPath(appUrl);
  const check = checkStamp(appDir);
  const bundle = check.fresh ? check.bundle : await rebuild(appDir, check.reason);
  if (bundle === null) return importSources(appDir);
  const file = path.join(appDir, 'dist', bundle);
  return file.endsWith('.cjs') ? requireCached(file) : import(pathToFileURL(file).href);
}
