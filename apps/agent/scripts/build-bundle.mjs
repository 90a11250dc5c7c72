// Builds the deployable agent (dist/spk-agent.mjs: the sources and every dependency in one ES
// module, plain node 20+, no node_modules at run time, with the script runner's files beside it)
// through the shared app build (tools/src/build/app-bundles.mjs); what `npm pack` runs as prepack.
import path from 'node:path';
import { bundleApp } from '../../../tools/src/build/bundle-app.mjs';

const { bundlePath } = await bundleApp(path.resolve(import.meta.dirname, '..'));
// stderr: `npm pack --json` runs this as prepack, and its stdout must stay JSON.
process.stderr.write(`built ${path.relative(process.cwd(), bundlePath)}\n`);
