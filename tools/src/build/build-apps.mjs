// `node tools/src/build/build-apps.mjs [app dir...]` (default: the current directory): builds each
// app's bundle into its dist/; what the apps' `build` scripts (Nx `build` targets) run.
import path from 'node:path';
import { bundleApp } from './bundle-app.mjs';

const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['.'];
for (const dir of dirs) {
  const { bundlePath } = await bundleApp(path.resolve(dir));
  // stderr: `npm pack --json` runs the agent's build as prepack, and its stdout must stay JSON.
  process.stderr.write(`built ${path.relative(process.cwd(), bundlePath)}\n`);
}
