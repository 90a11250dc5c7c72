#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx registers a loader, then the server starts.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
