#!/usr/bin/env node
// `spk` from the TypeScript sources, through tsx: for development (bin/spk.mjs runs the compiled CLI).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/main.ts');
process.exitCode = await runCli();
