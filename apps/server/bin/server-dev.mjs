#!/usr/bin/env node
// The server from the TypeScript sources, through tsx: for development (bin/server.mjs runs the
// compiled server).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
