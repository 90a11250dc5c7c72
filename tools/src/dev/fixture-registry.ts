// `npm run registry:fixtures`: the seeded test registry, standalone, for manual demos (point the
// app's registry setting or `npm --registry` at the printed URL). Stays up until Ctrl-C.
import { randomBytes } from 'node:crypto';
import { seedFixtures } from '../test-registry/seed-fixtures.ts';
import { startTestRegistry } from '../test-registry/start-registry.ts';
import type { RegistryLogLevel } from '../test-registry/verdaccio-config.ts';

const DEMO_USER = 'spk-demo';

// `SPK_REGISTRY_LOG_LEVEL=http` shows every request, handy when demoing what a client fetches.
const LOG_LEVELS: RegistryLogLevel[] = ['fatal', 'error', 'warn', 'info', 'http', 'debug', 'trace'];
const requested = process.env.SPK_REGISTRY_LOG_LEVEL as RegistryLogLevel | undefined;
const logLevel = requested && LOG_LEVELS.includes(requested) ? requested : 'warn';

const registry = await startTestRegistry({ logLevel });
let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await registry.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

try {
  // A throwaway user of a temporary loopback registry: its credentials are printed because a demo
  // needs them (e.g. the token piped to `spk registry set <url> --token-stdin`); nothing real is exposed.
  const password = randomBytes(12).toString('base64url');
  const token = await registry.addUser(DEMO_USER, password);
  const seeded = await seedFixtures(registry, { token });
  const lines = [
    `fixture registry: ${registry.url}`,
    `  ${seeded.length} fixture versions: ${[...new Set(seeded.map((fixture) => fixture.name))].join(', ')}`,
    `  user ${DEMO_USER} / ${password} (reads @spk-private/*)`,
    `  token ${token}`,
    `  try: npm view spk-fixture-esm --registry ${registry.url}`,
    'Ctrl-C to stop (storage is temporary and removed on exit).',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (error) {
  await registry.stop();
  throw error;
}
