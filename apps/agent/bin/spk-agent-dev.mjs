#!/usr/bin/env node
// `spk-agent` from the TypeScript sources, through tsx: for development and tests in the monorepo
// (not in the packed tarball, which runs the bundle through bin/spk-agent.mjs).
import { register } from 'tsx/esm/api';

register();
const { runAgentCli } = await import('../src/main.ts');
process.exitCode = await runAgentCli(process.argv.slice(2));
