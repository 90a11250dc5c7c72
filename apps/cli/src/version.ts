// The version `spk --version` prints: the CLI package's own, read once from its package.json
// (two levels up from this file both in src/ and in a built dist/).
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

export const CLI_VERSION: string = manifest.version;
