import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRedirectingRegistry, type RedirectingRegistry } from '@spk/tools';
import { registryConfig } from '../db/schema.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { installOn } from './test-support/install-on.ts';

// Registry credentials and a registry that misbehaves: refused or redacted credentials in URLs,
// no token sent on a redirect to another origin, and a hanging registry cut by the request timeout.
// PGlite only: none of this depends on the database driver.

describe('registry credentials', () => {
  let t: TestBackend;
  let redirecting: RedirectingRegistry;

  beforeAll(async () => {
    t = await createTestBackend('pglite', { registry: { url: inject('registryUrl'), token: inject('registryToken') } });
    redirecting = await startRedirectingRegistry(inject('registryUrl'));
    await t.client.packages.add({ name: 'spk-fixture-leaf', range: '1.0.0' });
  });
  afterAll(async () => {
    await redirecting?.close();
    await t?.close();
  });

  it('refuses a registry URL with user:password@, saying to pass the token on stdin, without echoing it', async () => {
    const error = await t.client.registry.set({ url: 'http://spk-user:hunter2-secret@127.0.0.1:4873/' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'BAD_REQUEST', data: { code: 'INVALID_INPUT' } });
    expect((error as Error).message).toContain('spk registry set <url> --token-stdin');
    expect(JSON.stringify(error)).not.toContain('hunter2-secret');
    expect((await t.client.registry.get()).url).toBe(inject('registryUrl'));
  });

  it('never shows nor uses credentials in a URL stored before they were refused', async () => {
    await t.database.db.update(registryConfig).set({ url: 'http://spk-user:hunter2-secret@127.0.0.1:9/' });
    const shown = await t.client.registry.get();
    expect(JSON.stringify(shown)).not.toContain('hunter2-secret');
    // Dropped, not masked: they were never used, and the start-up migration removes them from the row.
    expect(shown.url).toBe('http://127.0.0.1:9/');
    const failed = await installOn(t);
    expect(failed.error?.code).toBe('REGISTRY_UNREACHABLE');
    expect(JSON.stringify(failed)).not.toContain('hunter2-secret');
    await t.client.registry.set({ url: inject('registryUrl') });
  });

  it('sends the token to the registry but never to the other origin a redirect points at', async () => {
    await t.client.registry.set({ url: redirecting.url, token: inject('registryToken') });
    const state = await installOn(t);
    expect(state.error).toBeNull();
    expect(state.manifest.map((e) => e.name)).toEqual(['spk-fixture-leaf']);

    // Packument and tarball both went through the redirect.
    expect(redirecting.seenByFront.some((r) => r.path.endsWith('.tgz'))).toBe(true);
    expect(redirecting.seenByTarget.some((r) => r.path.endsWith('.tgz'))).toBe(true);
    expect(redirecting.seenByTarget.length).toBeGreaterThanOrEqual(2);
    for (const seen of redirecting.seenByFront) expect(seen.authorization).toBe(`Bearer ${inject('registryToken')}`);
    for (const seen of redirecting.seenByTarget) expect(seen.authorization).toBeNull();
    await t.client.registry.set({ url: inject('registryUrl') });
  });
});

describe('a registry that never answers', () => {
  const TIMEOUT_MS = 400;
  let t: TestBackend;
  let hanging: Server;
  let received = 0;

  beforeAll(async () => {
    hanging = createServer(() => {
      received++;
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
    t = await createTestBackend('pglite', { registry: { url }, registryTimeoutMs: TIMEOUT_MS });
    await t.client.packages.add({ name: 'spk-fixture-leaf', range: '1.0.0' });
  });
  afterAll(async () => {
    hanging?.closeAllConnections();
    await new Promise((resolve) => hanging?.close(resolve));
    await t?.close();
  });

  it('fails the install within a bounded time saying the registry did not answer in time, and releases the installer lock', async () => {
    const started = Date.now();
    const failed = await installOn(t);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(received).toBeGreaterThan(0);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('REGISTRY_UNREACHABLE');
    expect(failed.error?.message).toMatch(/^the registry at 127\.0\.0\.1:\d+ did not answer within [\d.]+ s when asked for spk-fixture-/);

    // The lock was released: the next trigger is accepted (and fails the same way).
    const again = await installOn(t);
    expect(again.error?.message).toContain('did not answer within');
  });
});
