// Builds one app (apps/<name>) as app-bundles.mjs describes: esbuild bundles its entry into
// dist/, the files its code opens by path are put beside the bundle (url-references.mjs, and the
// declared copies), and the build stamp is written last. Every file is written through a temp file
// and a rename, so a process starting during a build (or two builds at once) reads whole files.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build, formatMessages } from 'esbuild';
import { APP_BUNDLES } from './app-bundles.mjs';
import { filesUnder, inputRecord, writeFileAtomically, writeStamp } from './build-stamp.mjs';
import { createUrlReferences } from './url-references.mjs';

const BUILD_DIR = import.meta.dirname;
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };
// Bundled CommonJS dependencies call require() for Node's built-ins; an ES module has none of its own.
const ESM_BANNER = "import { createRequire as __spkCreateRequire } from 'node:module';\nconst require = __spkCreateRequire(import.meta.url);";
// In CommonJS, import.meta is empty: the sources' import.meta.url (version.ts reads ../package.json
// through it) becomes the bundle's own location, as it is in an ES module bundle.
const CJS_BANNER = "const __spkImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";
const CJS_DEFINE = { 'import.meta.url': '__spkImportMetaUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' };

const isPackageFile = (file) => file.split(path.sep).includes('node_modules');

/**
 * Reads every workspace source esbuild bundles, so the stamp records the very bytes that went in
 * (a file saved during the build is then seen as changed at the next start, not missed), and
 * rewrites its `new URL('./x.ts', import.meta.url)` references to the built names.
 */
function loadSources(current, references) {
  return {
    name: 'spk-load-sources',
    setup(b) {
      b.onLoad({ filter: /\.([cm]?[jt]s|tsx|json)$/ }, (args) => {
        if (isPackageFile(args.path) || args.namespace !== 'file') return undefined;
        const bytes = current.record(args.path);
        return { contents: references.rewrite(args.path, bytes.toString('utf8')), loader: LOADERS[path.extname(args.path)] };
      });
    },
  };
}

/**
 * Leaves an npm package out of the bundle when the bundle, from dist/, would import the very copy
 * the sources use; one that resolves elsewhere from dist/ (a nested version) is bundled instead.
 */
function externalPackages(distDir) {
  return {
    name: 'spk-external-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.spkOwn || isBuiltin(args.path)) return undefined;
        const own = { kind: args.kind, pluginData: { spkOwn: true } };
        const here = await b.resolve(args.path, { ...own, resolveDir: args.resolveDir, importer: args.importer });
        if (here.errors.length > 0 || !isPackageFile(here.path)) return undefined;
        const fromDist = await b.resolve(args.path, { ...own, resolveDir: distDir });
        return fromDist.errors.length === 0 && fromDist.path === here.path ? { path: args.path, external: true } : undefined;
      });
    },
  };
}

/** 0755 whatever the umask, like the files (writeFileAtomically). */
function makeDir(dir) {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
}

/** Files that shape the bundle without being in it: the build's own code, configs, the installed packages. */
function buildFiles(appDir, sources) {
  const root = path.resolve(appDir, '../..');
  const packageDirs = new Set(sources.map((rel) => /^(\.\.\/\.\.\/(?:packages|apps|tools)\/[^/]+)\//.exec(rel)?.[1]).filter(Boolean));
  return [
    ...readdirSync(BUILD_DIR).filter((f) => f.endsWith('.mjs')).map((f) => path.join(BUILD_DIR, f)),
    path.join(appDir, 'package.json'),
    path.join(root, 'tsconfig.base.json'),
    // npm rewrites its hidden lockfile at every install: a changed dependency means a new bundle.
    path.join(root, 'node_modules/.package-lock.json'),
    ...[...packageDirs].map((dir) => path.join(appDir, dir, 'package.json')),
  ].filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile());
}

/** One build's bookkeeping: the inputs it read (for the stamp) and the files it wrote into dist/. */
function createBuild(appDir, distDir) {
  const inputs = new Map();
  const outputs = [];
  return {
    inputs,
    outputs,
    /** Reads an input and records it; returns its bytes. */
    record(file) {
      const stats = statSync(file);
      const bytes = readFileSync(file);
      const rel = path.relative(appDir, file);
      inputs.set(rel, inputRecord(rel, stats, bytes));
      return bytes;
    },
    emit(rel, bytes) {
      makeDir(path.dirname(path.join(distDir, rel)));
      writeFileAtomically(path.join(distDir, rel), bytes);
      outputs.push([rel, bytes.length]);
    },
  };
}

async function bundle(spec, { appDir, distDir, entry, outfile, current, references }) {
  const cjs = outfile.endsWith('.cjs');
  const result = await build({
    absWorkingDir: appDir,
    entryPoints: [entry],
    outfile: path.join(distDir, outfile),
    write: false,
    bundle: true,
    platform: 'node',
    format: cjs ? 'cjs' : 'esm',
    target: 'node20',
    banner: { js: cjs ? CJS_BANNER : ESM_BANNER },
    define: cjs ? CJS_DEFINE : {},
    plugins: [loadSources(current, references), ...(spec.bundleDependencies ? [] : [externalPackages(distDir)])],
    legalComments: 'eof',
    logLevel: 'silent',
  }).catch(async (error) => {
    throw new Error(`esbuild could not bundle ${entry}:\n${(await formatMessages(error.errors ?? [], { kind: 'error' })).join('')}`, { cause: error });
  });
  // A warning is a bundle that would misbehave at run time (import.meta in CommonJS, a missing export).
  if (result.warnings.length > 0) throw new Error(`esbuild warned while bundling ${entry}:\n${(await formatMessages(result.warnings, { kind: 'warning' })).join('')}`);
  for (const file of result.outputFiles) current.emit(path.relative(distDir, file.path), file.contents);
}

/**
 * Builds apps/<name> into its dist/ and returns the bundle's name and path.
 * @param {string} appDir absolute path of the app
 * @param {import('./app-bundles.mjs').AppBundle} [spec] default: the app's in app-bundles.mjs
 */
export async function bundleApp(appDir, spec = APP_BUNDLES[path.basename(appDir)]) {
  if (!spec) throw new Error(`no bundle is declared for ${appDir} (tools/src/build/app-bundles.mjs)`);
  const distDir = path.join(appDir, 'dist');
  const current = createBuild(appDir, distDir);
  const references = createUrlReferences();
  // First: externalPackages resolves from dist/, and esbuild resolves nothing from a missing directory.
  makeDir(distDir);
  const context = { appDir, distDir, current, references };
  await bundle(spec, { ...context, entry: spec.entry, outfile: spec.bundle });
  // A bundled worker may refer to files of its own: until no new one turns up.
  for (const done = new Set(); references.entries().some(({ built }) => !done.has(built)); ) {
    for (const { built, source, bundled } of references.entries().filter((e) => !done.has(e.built))) {
      done.add(built);
      if (bundled) await bundle(spec, { ...context, entry: source, outfile: built });
      else current.emit(built, current.record(source));
    }
  }
  for (const { from, to } of spec.copy) {
    const source = path.join(appDir, from);
    const files = statSync(source).isDirectory() ? filesUnder(source).map((f) => [path.join(source, f), path.join(to, f)]) : [[source, to]];
    for (const [src, dest] of files) current.emit(dest, current.record(src));
  }
  for (const file of buildFiles(appDir, [...current.inputs.keys()])) current.record(file);
  writeStamp(distDir, { bundle: spec.bundle, inputs: [...current.inputs.values()], outputs: current.outputs });
  return { bundle: spec.bundle, bundlePath: path.join(distDir, spec.bundle) };
}
