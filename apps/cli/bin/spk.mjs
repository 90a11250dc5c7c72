#!/usr/bin/env node
// `spk`: run the TypeScript sources directly through tsx; there is no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/main.ts');
process.exitCode = await runCli();
