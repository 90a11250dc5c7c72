#!/usr/bin/env node
// `spk-agent`: the bundled agent (dist/, plain node, no dependencies). Installed from the packed
// tarball it runs dist/ as it is; in the repository (src/ beside it) the bundle is rebuilt first
// when its sources changed (tools/src/build/launch-app.mjs).
import { existsSync } from 'node:fs';

const app = new URL('..', import.meta.url);
let cli;
if (existsSync(new URL('src', app))) {
  // A URL, not a specifier: the launcher is the repository's build tooling, not a dependency of the
  // agent (Nx would otherwise count it as a lazy import of @spk/tools).
  const { launchApp } = await import(new URL('../../tools/src/build/launch-app.mjs', app).href);
  cli = await launchApp(app);
} else {
  try {
    cli = await import('../dist/spk-agent.mjs');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('spk-agent.mjs')) throw error;
    process.stderr.write('spk-agent: the bundle is missing (dist/spk-agent.mjs); in the repository run `npm run build -w @spk/agent`, or use bin/spk-agent-dev.mjs\n');
    process.exit(1);
  }
}
process.exitCode = await cli.runAgentCli(process.argv.slice(2));
