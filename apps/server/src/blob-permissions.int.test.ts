import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ssri from 'ssri';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BLOB_PREFIX, integrityToHex, type Principal } from '@spk/common';
import { silentLogger } from '@spk/backend';
import { createTestBackend, type TestBackend } from '@spk/backend/testing';
import { createHttpServer } from './http-server.ts';
import { createWebConsole } from './web-console.ts';

// Who may download blobs through the real HTTP server: the route declares `read` or `satellite`,
// and the server checks it before the route runs. The tokens map to principals directly, so a
// principal no real token kind has (neither permission) can be tried too.
const PRINCIPALS: Record<string, Principal> = {
  'satellite-token': { id: 'satellite:edge-1', permissions: ['satellite'], satellite: 'edge-1' },
  'read-token': { id: 'reader', permissions: ['read'] },
  'manage-only-token': { id: 'manager', permissions: ['manage'] },
};

describe('blob download permissions', () => {
  let t: TestBackend;
  let server: Server;
  let blobUrl: string;
  let integrity: string;
  const get = (token?: string) => fetch(blobUrl, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    t = await createTestBackend('pglite', { registry: { url: inject('registryUrl') } });
    await t.client.packages.add({ name: 'spk-fixture-leaf', range: '1.0.0' });
    await t.client.install.trigger();
    await t.backend.installer.idle();
    integrity = (await t.client.install.state()).manifest.find((e) => e.name === 'spk-fixture-leaf')!.integrity;
    const backend = { ...t.backend, authenticate: async (token: string) => PRINCIPALS[token] ?? null };
    server = await createHttpServer(backend, silentLogger, { version: 'test', readiness: async () => ({ ready: true }), webConsole: createWebConsole('/nonexistent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    blobUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${BLOB_PREFIX}/${integrityToHex(integrity)}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await t?.close();
  });

  it('serves a satellite-only principal and a read-only one the verified blob', async () => {
    for (const token of ['satellite-token', 'read-token']) {
      const response = await get(token);
      expect(response.status).toBe(200);
      expect(ssri.checkData(Buffer.from(await response.arrayBuffer()), integrity)).toBeTruthy();
    }
  });

  it('answers 403 naming the permissions to a principal with neither, and 401 without a token', async () => {
    const refused = await get('manage-only-token');
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { code: string; message: string };
    expect(body.code).toBe('FORBIDDEN');
    expect(body.message).toContain('"read" or "satellite"');
    expect((await get()).status).toBe(401);
  });
});
