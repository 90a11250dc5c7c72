// The build stamp (dist/build-stamp.json): the files a bundle was built from, with their mtime,
// size and sha256, and the files the build wrote. A bin checks it at every start for the price of
// one stat per input; an input is hashed only when its mtime moved (a checkout, an Nx cache
// restore, a `touch`), so only a real change of content makes the bundle stale.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const STAMP_FILE = 'build-stamp.json';
// Bumped when the stamp's shape or the build's output changes meaning: older stamps are then stale.
const STAMP_VERSION = 1;

export const contentHash = (bytes) => createHash('sha256').update(bytes).digest('base64');

/** Every regular file below `dir`, as paths relative to it; none when `dir` does not exist. */
export const filesUnder = (dir) =>
  statSync(dir, { throwIfNoEntry: false })?.isDirectory()
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    : [];

/**
 * Writes `data` through a temp file and a rename, so a reader sees the old file or the new one, never
 * a partial one. Mode 0644 whatever the umask: code others may read (a script run as another user
 * reads the runner beside the bundle) and nobody else may change (a build under umask 000).
 */
export function writeFileAtomically(file, data) {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, data, { mode: 0o600 });
    chmodSync(temp, 0o644);
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never written
    }
    throw error;
  }
}

/** One input as the stamp keeps it: [path relative to the app dir, mtimeMs, size, sha256 of the bytes built]. */
export const inputRecord = (rel, stats, bytes) => [rel, stats.mtimeMs, stats.size, contentHash(bytes)];

/**
 * Writes dist/build-stamp.json last in a build.
 * @param {string} distDir
 * @param {{ bundle: string, inputs: unknown[][], outputs: [string, number][] }} stamp outputs: [path relative to dist/, size]
 */
export function writeStamp(distDir, { bundle, inputs, outputs }) {
  const sorted = [...inputs].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  writeFileAtomically(path.join(distDir, STAMP_FILE), `${JSON.stringify({ version: STAMP_VERSION, bundle, inputs: sorted, outputs })}\n`);
}

/**
 * Whether dist/ holds a build of the sources as they are now.
 * @param {string} appDir
 * @returns {{ fresh: true, bundle: string } | { fresh: false, reason: string }}
 */
export function checkStamp(appDir) {
  try {
    return compareStamp(appDir);
  } catch (error) {
    // An unreadable input or dist/ (EACCES, ENOTDIR): rebuilding is the safe answer, and says why.
    return { fresh: false, reason: `cannot check the build (${error.code ?? error.message})` };
  }
}

function compareStamp(appDir) {
  const distDir = path.join(appDir, 'dist');
  const stampFile = path.join(distDir, STAMP_FILE);
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return { fresh: false, reason: 'not built yet' };
  }
  if (stamp?.version !== STAMP_VERSION || !Array.isArray(stamp.inputs) || !Array.isArray(stamp.outputs)) return { fresh: false, reason: 'built by another version of the build' };
  for (const [rel, size] of stamp.outputs) {
    if (statSync(path.join(distDir, rel), { throwIfNoEntry: false })?.size !== size) return { fresh: false, reason: `dist/${rel} is missing or was changed` };
  }
  let moved = false;
  for (const input of stamp.inputs) {
    const [rel, mtimeMs, size, hash] = input;
    const file = path.join(appDir, rel);
    const stats = statSync(file, { throwIfNoEntry: false });
    if (!stats) return { fresh: false, reason: `${rel} is gone` };
    if (stats.mtimeMs === mtimeMs && stats.size === size) continue;
    if (stats.size !== size || contentHash(readFileSync(file)) !== hash) return { fresh: false, reason: `${rel} changed` };
    input[1] = stats.mtimeMs;
    moved = true;
  }
  if (moved) {
    try {
      // Same bytes under a new mtime: remember it, so the next start does not hash them again.
      writeFileAtomically(stampFile, `${JSON.stringify(stamp)}\n`);
    } catch {
      // a read-only dist/: the next start hashes again, and still finds the build fresh
    }
  }
  return { fresh: true, bundle: stamp.bundle };
}
