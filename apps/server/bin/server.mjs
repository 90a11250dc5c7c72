#!/usr/bin/env node
// Starts a core instance from the compiled server (dist/server.mjs), rebuilt first when its
// sources changed (tools/src/build/launch-app.mjs); bin/server-dev.mjs runs the TypeScript
// sources through tsx.
import { launchApp } from '../../../tools/src/build/launch-app.mjs';

await launchApp(new URL('..', import.meta.url));
