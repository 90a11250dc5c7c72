#!/usr/bin/env node
// `spk-agent`: the bundled agent (dist/, built by `npm run build`); plain node, no dependencies.
let cli;
try {
  cli = await import('../dist/spk-agent.mjs');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('spk-agent.mjs')) throw error;
  process.stderr.write('spk-agent: the bundle is missing (dist/spk-agent.mjs); in the repository run `npm run build -w @spk/agent`, or use bin/spk-agent-dev.mjs\n');
  process.exit(1);
}
process.exitCode = await cli.runAgentCli(process.argv.slice(2));
