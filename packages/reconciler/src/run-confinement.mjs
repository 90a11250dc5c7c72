// Preloaded into every script run (`node --import`). Node looks for packages in the
// node_modules of every ancestor directory, so a data dir inside a repository would let a
// script import the repository's packages. This confines CommonJS lookup paths to the run's
// pinned tree and registers the ESM half (run-confinement-hooks.mjs).
import { realpathSync } from 'node:fs';
import Module, { register } from 'node:module';
import path from 'node:path';

const config = JSON.parse(process.env.SPK_RUN_CONFINE ?? 'null');
delete process.env.SPK_RUN_CONFINE;
if (!config || !Array.isArray(config.roots)) throw new Error('run confinement: SPK_RUN_CONFINE is missing');

const roots = [...new Set(config.roots.flatMap((root) => [path.resolve(root), realpathSync(root)]))];
const isInside = (file) => roots.some((root) => file === root || file.startsWith(root + path.sep));
const isPathRequest = (request) =>
  request === '.' || request === '..' || request.startsWith('./') || request.startsWith('../') || path.isAbsolute(request);

// Both hooks are internal but stable CommonJS loader entry points (used by tools such as
// pnpm's and Yarn's runtimes). Every bare require goes through one of them.
const nodeModulePaths = Module._nodeModulePaths;
Module._nodeModulePaths = function confinedNodeModulePaths(from) {
  return nodeModulePaths.call(this, from).filter(isInside);
};
const resolveLookupPaths = Module._resolveLookupPaths;
Module._resolveLookupPaths = function confinedLookupPaths(request, parent) {
  const paths = resolveLookupPaths.call(this, request, parent);
  // Global folders (NODE_PATH, ~/.node_modules, <prefix>/lib/node) are outside too.
  return paths && !isPathRequest(request) ? paths.filter(isInside) : paths;
};

register('./run-confinement-hooks.mjs', { parentURL: import.meta.url, data: { roots } });
