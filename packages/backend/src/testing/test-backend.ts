// A backend on a fresh test database with its own data dir, plus a typed in-process client of
// the contract acting as admin: tests exercise exactly what the HTTP routes would call.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRouterClient } from '@orpc/server';
import type { Principal } from '@spk/common';
import { createScriptPackagesBackend, type BackendOptions } from '../plugin.ts';
import { createHookBus, silentLogger, systemClock, type HookBus } from '../services.ts';
import { createTestDatabase, type TestDatabase, type TestDriver } from './test-database.ts';

export const TEST_ADMIN: Principal = { id: 'test-admin', permissions: ['read', 'manage'] };

export async function createTestBackend(driver: TestDriver, options: BackendOptions & { registry?: { url: string; token?: string } } = {}) {
  const testDb: TestDatabase = await createTestDatabase(driver);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-backend-'));
  const hooks: HookBus = createHookBus();
  const backend = createScriptPackagesBackend(
    { database: testDb.database, logger: silentLogger, dataDir, hooks, clock: systemClock, auth: { authenticate: async () => TEST_ADMIN } },
    options,
  );
  await backend.start();
  const client = createRouterClient(backend.router, { context: { principal: TEST_ADMIN } });
  if (options.registry) await client.registry.set({ url: options.registry.url, token: options.registry.token ?? null });
  return {
    backend,
    client,
    hooks,
    dataDir,
    database: testDb.database,
    databaseUrl: testDb.url,
    async close() {
      await backend.stop();
      await testDb.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestBackend = Awaited<ReturnType<typeof createTestBackend>>;
