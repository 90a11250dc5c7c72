// A backend on a fresh test database with its own data dir, plus a typed in-process client of
// the contract acting as admin: tests exercise exactly what the HTTP routes would call. With
// `realTokens`, the backend's own authenticator decides who a token is (`clientFor`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRouterClient } from '@orpc/server';
import type { Principal } from '@spk/common';
import { createScriptPackagesBackend, type BackendOptions } from '../plugin.ts';
import { createHookBus, silentLogger, systemClock, type HookBus } from '../services.ts';
import { createTestDatabase, type TestDatabase, type TestDriver } from './test-database.ts';

export const TEST_ADMIN: Principal = { id: 'test-admin', permissions: ['read', 'manage'] };

export interface TestBackendOptions extends BackendOptions {
  registry?: { url: string; token?: string };
  /** Authenticate with the api_tokens and satellites tables instead of taking every token for TEST_ADMIN. */
  realTokens?: boolean;
  hooks?: HookBus;
}

export async function createTestBackend(driver: TestDriver, options: TestBackendOptions = {}) {
  const testDb: TestDatabase = await createTestDatabase(driver);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'spk-backend-'));
  const hooks: HookBus = options.hooks ?? createHookBus();
  const backend = createScriptPackagesBackend(
    {
      database: testDb.database,
      logger: silentLogger,
      dataDir,
      hooks,
      clock: systemClock,
      ...(options.realTokens ? {} : { auth: { authenticate: async () => TEST_ADMIN } }),
    },
    options,
  );
  await backend.start();
  const client = createRouterClient(backend.router, { context: { principal: TEST_ADMIN } });
  if (options.registry) await client.registry.set({ url: options.registry.url, token: options.registry.token ?? null });
  return {
    backend,
    client,
    /** A client acting as whoever `token` authenticates as; throws when the backend refuses the token. */
    async clientFor(token: string) {
      const principal = await backend.authenticate(token);
      if (!principal) throw new Error('the backend refused this token');
      return createRouterClient(backend.router, { context: { principal } });
    },
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
