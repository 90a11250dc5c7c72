// Loads a CommonJS bundle with V8's code cache (what module.enableCompileCache does from Node 22.1
// on, which Node 20 lacks): compiling the CLI's megabyte of JavaScript costs more than starting
// node, and a cached compile almost nothing. The cache sits beside the bundle, made at the first
// exit after a build, and is keyed by the bundle's sha256: V8 itself only checks the source's length.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { writeFileAtomically } from './build-stamp.mjs';

const KEY_BYTES = 32;

function readCache(cacheFile, key) {
  try {
    const data = readFileSync(cacheFile);
    return data.subarray(0, KEY_BYTES).equals(key) ? data.subarray(KEY_BYTES) : undefined;
  } catch {
    return undefined;
  }
}

/** The bundle's exports, as `require(file)` would return them. */
export function requireCached(file) {
  const bytes = readFileSync(file);
  const key = createHash('sha256').update(bytes).digest();
  const cacheFile = `${file}.v8cache`;
  const cachedData = readCache(cacheFile, key);
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${bytes.toString('utf8')}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    // At exit: the cache then also holds the functions this run compiled lazily.
    process.once('exit', () => {
      try {
        writeFileAtomically(cacheFile, Buffer.concat([key, script.createCachedData()]));
      } catch {
        // a read-only dist/: every start compiles, as without a cache
      }
    });
  }
  return module.exports;
}
