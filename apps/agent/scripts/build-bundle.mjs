// Builds the deployable agent: one ESM bundle of the sources and every dependency (dist/spk-agent.mjs,
// plain node 20+, no node_modules at run time), with the reconciler's run-child.mjs and
// run-confinement.mjs beside it, where the bundled script runner looks for them
// (`new URL('./run-child.mjs', import.meta.url)`).
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'dist');
const runsDir = path.resolve(root, '../../packages/reconciler/src/runs');
const RUN_FILES = ['run-child.mjs', 'run-confinement.mjs'];

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
await build({
  entryPoints: { 'spk-agent': path.join(root, 'src/index.ts') },
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (ssri, tar's helpers) call require() for Node built-ins; an ES module has none.
  banner: { js: "import { createRequire as __spkAgentCreateRequire } from 'node:module';\nconst require = __spkAgentCreateRequire(import.meta.url);" },
  legalComments: 'eof',
  logLevel: 'warning',
});
for (const file of RUN_FILES) await copyFile(path.join(runsDir, file), path.join(outDir, file));
// stderr: `npm pack --json` runs this as prepack, and its stdout must stay JSON.
process.stderr.write(`built ${path.relative(process.cwd(), path.join(outDir, 'spk-agent.mjs'))}\n`);
