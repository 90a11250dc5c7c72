// What each app's build produces: one bundle of its sources (and, for the CLI and the agent, of
// every dependency) in its dist/. The files its code opens by `new URL('./x', import.meta.url)` (the
// script runner, workers) are found and put beside it by the build (url-references.mjs); `copy`
// names the others. The bins start these bundles (launch-app.mjs); bundle-app.mjs builds them.

/**
 * @typedef {object} AppBundle
 * @property {string} entry  the source entry, relative to the app dir
 * @property {string} bundle the output file in dist/; `.cjs` builds CommonJS (started with a V8 code cache), `.mjs` an ES module
 * @property {boolean} bundleDependencies true: npm packages go into the bundle too (no node_modules at run time);
 *   false: only the workspace's sources, npm packages are imported from node_modules as installed
 * @property {{ from: string, to: string }[]} copy files or directories (from: relative to the app dir) copied into dist/
 */

/** @type {Record<string, AppBundle>} keyed by the app's directory name under apps/ */
export const APP_BUNDLES = {
  // The server keeps npm packages external: PGlite loads its wasm and data files, TypeScript its lib
  // files and pino its workers by path, and pacote/arborist must share module instances (error
  // classes, agents) with the backend's code; node_modules is there wherever the server runs.
  server: {
    entry: 'src/main.ts',
    bundle: 'server.mjs',
    bundleDependencies: false,
    // database.ts looks for the migrations beside the bundle before the repository's drizzle/.
    copy: [{ from: '../../drizzle', to: 'drizzle' }],
  },
  // `spk` starts many times a minute in scripts: CommonJS, so that its compiled code can be cached
  // (vm.Script cachedData; Node 20 has no code cache for ES modules), and no dependency to look up.
  cli: { entry: 'src/index.ts', bundle: 'spk.cjs', bundleDependencies: true, copy: [] },
  // The satellite agent is installed from a packed tarball with no dependencies: everything in one file.
  agent: { entry: 'src/index.ts', bundle: 'spk-agent.mjs', bundleDependencies: true, copy: [] },
};
