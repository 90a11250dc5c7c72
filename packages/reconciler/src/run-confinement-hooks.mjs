// ESM half of the run confinement (see run-confinement.mjs). Node's ESM resolver walks
// ancestor node_modules itself; a bare specifier it resolved to a file outside the pinned
// tree came from such an ancestor, so it is refused as not found, as in an isolated tree.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let roots = [];

export function initialize(data) {
  roots = data.roots;
}

const isBare = (specifier) =>
  !(specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/')) &&
  !/^[a-z][a-z\d+.-]*:/i.test(specifier);

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (isBare(specifier) && resolved.url.startsWith('file:')) {
    const file = fileURLToPath(resolved.url);
    if (!roots.some((root) => file === root || file.startsWith(root + path.sep))) {
      const error = new Error(
        `Cannot find package '${specifier}' imported from ${context.parentURL ?? 'the script'}: only packages of the pinned tree can be imported`,
      );
      error.code = 'ERR_MODULE_NOT_FOUND';
      throw error;
    }
  }
  return resolved;
}
