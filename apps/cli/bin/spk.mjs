#!/usr/bin/env node
// `spk`: the compiled CLI (dist/spk.cjs), rebuilt first when its sources changed
// (tools/src/build/launch-app.mjs); bin/spk-dev.mjs runs the TypeScript sources through tsx.
import { launchApp } from '../../../tools/src/build/launch-app.mjs';

const { runCli } = await launchApp(new URL('..', import.meta.url));
process.exitCode = await runCli();
// The command is done: leave once its output is written. Waiting for the event loop to drain
// would add the half second Node 20's fetch keeps a timer after its last request.
process.stdout.write('', () => process.stderr.write('', () => process.exit()));
