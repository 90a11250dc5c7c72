import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '@spk/tools';
import { systemClock } from '../services.ts';
import { createPackageStore } from '../stores/package-store.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { installOn } from './test-support/install-on.ts';

// A registry that refuses (401, 403) or fails (500): the install fails naming that registry and
// the status, REGISTRY_AUTH_FAILED for a refusal, and nothing it stores holds the token. With a
// scope on its own registry, the failure names the scope's registry, not the default one.
// PGlite only: nothing here depends on the database driver.

const TOKEN = `npm_registryErrorsSecret${Date.now()}`;

/** A registry stand-in answering every request with `status`, recording the Authorization header it got. */
async function startFailingRegistry() {
  const seen: Array<string | null> = [];
  const failing = { status: 401 };
  const server: LoopbackServer = await startLoopbackServer((req, res) => {
    seen.push(req.headers.authorization ?? null);
    res.writeHead(failing.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `status ${failing.status}` }));
  });
  return { server, seen, failing };
}

describe('an install against a registry that refuses or fails', () => {
  let t: TestBackend;
  let registry: Awaited<ReturnType<typeof startFailingRegistry>>;

  beforeAll(async () => {
    registry = await startFailingRegistry();
    t = await createTestBackend('pglite', { registry: { url: `${registry.server.url}/`, token: TOKEN }, types: { autoAdd: false } });
    // Declared without the registry check (the registry refuses it too).
    await createPackageStore(t.database.db, systemClock).add({ name: 'spk-fixture-leaf', range: '^1.0.0', enabled: true });
  });
  afterAll(async () => {
    await t?.close();
    await registry?.server.close();
  });

  it.each([401, 403])('fails with REGISTRY_AUTH_FAILED on HTTP %i, naming the registry and never the token', async (status) => {
    registry.failing.status = status;
    const state = await installOn(t);
    expect(state.status).toBe('failed');
    expect(state.error).toEqual({
      code: 'REGISTRY_AUTH_FAILED',
      message: `the token for ${registry.server.url}/ is missing or wrong (HTTP ${status}): the registry refused access to spk-fixture-leaf; set the token with spk registry import-npmrc or spk registry set`,
    });
    expect(JSON.stringify(state)).not.toContain(TOKEN);
    // The token was sent: it is the one refused.
    expect(registry.seen.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it('says a registry answering 500 is failing, naming it and the status', async () => {
    registry.failing.status = 500;
    const state = await installOn(t);
    expect(state.error?.code).toBe('REGISTRY_UNREACHABLE');
    expect(state.error?.message).toBe(
      `the registry ${registry.server.url}/ answered HTTP 500 for spk-fixture-leaf: the registry itself is failing; try again later, or check the registry`,
    );
    expect(JSON.stringify(state)).not.toContain(TOKEN);
  });
});

describe('a scope on a registry that refuses', () => {
  let t: TestBackend;
  let registry: Awaited<ReturnType<typeof startFailingRegistry>>;

  beforeAll(async () => {
    registry = await startFailingRegistry();
    t = await createTestBackend('pglite', { types: { autoAdd: false } });
    const scoped = new URL(`${registry.server.url}/`);
    await t.client.registry.importNpmrc({
      npmrc: [`registry=${inject('registryUrl')}/`, `@spk-refused:registry=${scoped.href}`, `//${scoped.host}/:_authToken=${TOKEN}`, ''].join('\n'),
    });
    const packages = createPackageStore(t.database.db, systemClock);
    await packages.add({ name: 'spk-fixture-leaf', range: '^1.0.0', enabled: true });
    await packages.add({ name: '@spk-refused/thing', range: '^1.0.0', enabled: true });
  });
  afterAll(async () => {
    await t?.close();
    await registry?.server.close();
  });

  it("names the scope's registry, not the default one, with the scope's token sent and never shown", async () => {
    registry.failing.status = 401;
    const state = await installOn(t);
    expect(state.error?.code).toBe('REGISTRY_AUTH_FAILED');
    expect(state.error?.message).toContain(`the token for ${registry.server.url}/ is missing or wrong (HTTP 401): the registry refused access to @spk-refused/thing`);
    expect(state.error?.message).not.toContain(inject('registryUrl'));
    expect(JSON.stringify(state)).not.toContain(TOKEN);
    expect(registry.seen).toContain(`Bearer ${TOKEN}`);
  });
});
