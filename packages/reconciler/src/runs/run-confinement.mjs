// Preloaded into every script run (`node --import`), inside Node's permission model. The model
// refuses reads outside the pinned tree; this module makes package lookup behave as in an
// isolated tree on top of it: Node looks for packages in the node_modules of every ancestor
// directory, and a package found above the data dir must be "not found" (what optional
// requires test for), not "access denied". It also closes `node:sqlite`, which opens and creates
// files without asking the permission model.
import { realpathSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const config = JSON.parse(process.env.SPK_RUN_CONFINE ?? 'null');
delete process.env.SPK_RUN_CONFINE;
if (!config || !Array.isArray(config.roots)) throw new Error('run confinement: SPK_RUN_CONFINE is missing');

const roots = [...new Set(config.roots.flatMap((root) => [path.resolve(root), realpathSync(root)]))];
const isInside = (file) => roots.some((root) => file === root || file.startsWith(root + path.sep));
const isPathRequest = (request) =>
  request === '.' || request === '..' || request.startsWith('./') || request.startsWith('../') || path.isAbsolute(request);
const isBare = (specifier) => !isPathRequest(specifier) && !/^[a-z][a-z\d+.-]*:/i.test(specifier);

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

const CLOSED_BUILTINS = new Set(['node:sqlite']);
const closedBuiltin = (specifier) => {
  const error = new Error(`${specifier} is not available to script runs: it reads and writes files outside Node's permission model`);
  error.code = 'ERR_UNKNOWN_BUILTIN_MODULE';
  return error;
};

// In-thread hooks exist from Node 22.15/23.5. Node 20's only hooks run on a worker thread,
// which the permission model forbids; there an ancestor's package is refused as access denied.
if (typeof Module.registerHooks === 'function') {
  Module.registerHooks({
    resolve(specifier, context, nextResolve) {
      if (CLOSED_BUILTINS.has(specifier)) throw closedBuiltin(specifier);
      const notFound = () => {
        const error = new Error(
          `Cannot find package '${specifier}' imported from ${context.parentURL ?? 'the script'}: only packages of the pinned tree can be imported`,
        );
        error.code = 'ERR_MODULE_NOT_FOUND';
        return error;
      };
      let resolved;
      try {
        resolved = nextResolve(specifier, context);
      } catch (error) {
        // The resolver walks up past the tree only when the tree lacks the package; reading an
        // ancestor's package.json is then refused by the permission model.
        if (isBare(specifier) && error?.code === 'ERR_ACCESS_DENIED' && !isInside(String(error.resource))) throw notFound();
        throw error;
      }
      if (isBare(specifier) && resolved.url.startsWith('file:') && !isInside(fileURLToPath(resolved.url))) throw notFound();
      return resolved;
    },
  });
}

if (typeof process.getBuiltinModule === 'function') {
  const getBuiltinModule = process.getBuiltinModule;
  process.getBuiltinModule = function confinedGetBuiltinModule(id) {
    const name = String(id).startsWith('node:') ? String(id) : `node:${id}`;
    if (CLOSED_BUILTINS.has(name)) throw closedBuiltin(name);
    return getBuiltinModule.call(this, id);
  };
}
