// The version the agent reports and `spk-agent --version` prints: its package's own, read once from
// package.json, one level up both from src/ and from the bundle in dist/.
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../package.json') as { version: string };

export const AGENT_VERSION: string = manifest.version;
