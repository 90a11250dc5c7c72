// Editor types through a real server process and the fixture registry: `GET /types/...` with its
// strong ETags, 304s and cache headers, the refusals (stale hash 409 without cache headers, bad
// names 400, unknown packages 404, 401/403), and the oRPC/REST procedures answering the same.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { typesClosurePath, typesIndexPath, type Manifest, type TypeClosure, type TypesIndex } from '@spk/common';
import { spawnServer, type SpawnedServer } from '@spk/tools';
import { serverClient, settledInstall, type ServerClient } from './test-support/server-client.ts';

const IMMUTABLE = 'private, max-age=31536000, immutable';
const REVALIDATE = 'private, no-cache';

describe('GET /types through the HTTP server', () => {
  let server: SpawnedServer;
  let admin: ServerClient;
  /** The first installed set's hash and manifest; a second install makes this hash stale. */
  let first: { lockfileHash: string; manifest: Manifest };
  const rpc = (token: string): ServerClient => serverClient(server, token);
  const get = (path: string, headers: Record<string, string> = {}, token: string | null = server.token) =>
    fetch(`${server.url}${path}`, { headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } });

  /** Installs the declared set and waits until this instance runs it. */
  async function installAndConverge(): Promise<{ lockfileHash: string; manifest: Manifest }> {
    const installed = await settledInstall(admin);
    await admin.hosts.waitConverged({ lockfileHash: installed.lockfileHash, timeoutMs: 60_000 });
    return installed;
  }

  /** A GET sent exactly as written: fetch would normalize `%2e%2e` away before it left. */
  function rawGet(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      // Options, not a URL string: node:http would parse (and normalize) a string as a URL too.
      const req = request({ host: '127.0.0.1', port: server.port, path, headers: { authorization: `Bearer ${server.token}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    server = await spawnServer();
    admin = rpc(server.token);
    await admin.registry.set({ url: inject('registryUrl'), token: null });
    // @types/spk-fixture-untyped is declared outright, so it is top-level whatever the auto-add setting does.
    for (const name of ['spk-fixture-typed', 'spk-fixture-cjs', 'spk-fixture-untyped', '@types/spk-fixture-untyped']) {
      await admin.packages.add({ name, range: '1.0.0' });
    }
    first = await installAndConverge();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('lists the top-level packages minus @types as the current index, revalidated every time', async () => {
    const response = await get(typesIndexPath());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe(REVALIDATE);
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
    const index = (await response.json()) as TypesIndex;
    expect(index.lockfileHash).toBe(first.lockfileHash);
    const topLevel = first.manifest.filter((e) => e.path === `node_modules/${e.name}` && !e.name.startsWith('@types/')).map((e) => e.name);
    expect(index.packages.map((p) => p.name)).toEqual([...topLevel].sort());
    expect(index.packages.map((p) => p.name)).toEqual(expect.arrayContaining(['spk-fixture-cjs', 'spk-fixture-leaf', 'spk-fixture-typed', 'spk-fixture-untyped']));
    expect(index.packages.some((p) => p.name.startsWith('@types/'))).toBe(false);
  });

  it("serves spk-fixture-typed's closure from its place in the tree, with a strong ETag, immutable, and 304 on If-None-Match", async () => {
    const path = typesClosurePath(first.lockfileHash, 'spk-fixture-typed');
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe(IMMUTABLE);
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const body = await response.text();
    const closure = JSON.parse(body) as TypeClosure;
    expect(closure).toMatchObject({ name: 'spk-fixture-typed', version: '1.0.0', hasOwnTypes: true, notFound: false, truncated: false });
    const declaration = closure.files.find((f) => f.path === 'file:///node_modules/spk-fixture-typed/index.d.ts');
    expect(declaration?.content).toContain('export declare function greet(name: string): string;');
    expect(closure.files.every((f) => f.path.startsWith('file:///node_modules/'))).toBe(true);

    const revalidated = await get(path, { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('cache-control')).toBe(IMMUTABLE);
    // A list naming it, and its weak form, match too; another tag gets the body.
    expect((await get(path, { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
    const mismatch = await get(path, { 'if-none-match': '"other"' });
    expect(mismatch.status).toBe(200);
    expect(await mismatch.text()).toBe(body);

    // Asked again (from the closure computed once and kept on disk): the same bytes under the same tag.
    const again = await get(path);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe(body);
  });

  it("gives a hash's index an immutable cache header once every closure size is known", async () => {
    const path = typesIndexPath(first.lockfileHash);
    const before = await get(path);
    expect(before.status).toBe(200);
    const index = (await before.json()) as TypesIndex;
    const complete = index.packages.every((p) => p.closureBytes !== null && p.closureFiles !== null);
    expect(before.headers.get('cache-control')).toBe(complete ? IMMUTABLE : REVALIDATE);

    const names = [...index.packages.map((p) => p.name), ...(index.nodeTypes ? [index.nodeTypes.name] : [])];
    const closures = await Promise.all(names.map(async (name) => (await (await get(typesClosurePath(first.lockfileHash, name))).json()) as TypeClosure));
    const after = await get(path);
    expect(after.status).toBe(200);
    expect(after.headers.get('cache-control')).toBe(IMMUTABLE);
    const etag = after.headers.get('etag')!;
    const sized = (await after.json()) as TypesIndex;
    for (const entry of sized.packages) {
      const closure = closures.find((c) => c.name === entry.name)!;
      expect(entry).toEqual({ name: entry.name, version: closure.version, closureBytes: closure.bytes, closureFiles: closure.files.length });
    }
    expect(closures.find((c) => c.name === 'spk-fixture-cjs')).toMatchObject({ hasOwnTypes: false, notFound: true });
    const revalidated = await get(path, { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
  });

  it('answers types.closure and types.index over oRPC and REST with what the GET serves', async () => {
    const viaGet = (await (await get(typesClosurePath(first.lockfileHash, 'spk-fixture-typed'))).json()) as TypeClosure;
    expect(await admin.types.closure({ lockfileHash: first.lockfileHash, name: 'spk-fixture-typed' })).toEqual(viaGet);
    const viaRest = await get(`/api/types/${first.lockfileHash}/spk-fixture-typed`);
    expect(viaRest.status).toBe(200);
    expect(await viaRest.json()).toEqual(viaGet);
    const indexViaGet = (await (await get(typesIndexPath(first.lockfileHash))).json()) as TypesIndex;
    expect(await admin.types.index({ lockfileHash: first.lockfileHash })).toEqual(indexViaGet);
    expect(await admin.types.index({})).toEqual(indexViaGet);
    const openapi = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/types', '/types/{lockfileHash}/{name}']));
  });

  it('refuses a name that is not a valid npm package name with 400, and a package not installed with 404', async () => {
    for (const path of [`/types/${first.lockfileHash}/%2e%2e`, `/types/${first.lockfileHash}/Bad%20Name`, `/types/${first.lockfileHash}/%E0%A4%A`]) {
      const response = await rawGet(path);
      expect(response.status, path).toBe(400);
      const body = JSON.parse(response.body) as { code: string; message: string };
      expect(body.code).toBe('INVALID_INPUT');
      expect(body.message).toContain('encodeURIComponent');
    }
    expect(JSON.parse((await rawGet(`/types/${first.lockfileHash}/%2e%2e`)).body).message).toContain('".." is not a valid npm package name');
    expect(JSON.parse((await rawGet(`/types/${first.lockfileHash}/Bad%20Name`)).body).message).toContain('"Bad Name" is not a valid npm package name');
    const badHash = await get('/types/not-a-hash/spk-fixture-typed');
    expect(badHash.status).toBe(400);
    expect(((await badHash.json()) as { message: string }).message).toContain('"not-a-hash" is not a sha256 hex digest');

    const missing = await get(typesClosurePath(first.lockfileHash, 'spk-fixture-esm'));
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('NOT_FOUND');
    expect(missing.headers.get('cache-control')).toBeNull();
    expect(missing.headers.get('etag')).toBeNull();
  });

  it('lets read tokens in, and answers 401 without a token and 403 to a satellite token', async () => {
    const path = typesClosurePath(first.lockfileHash, 'spk-fixture-typed');
    const reader = await admin.tokens.create({ name: 'types-reader', readOnly: true });
    expect((await get(path, {}, reader.token)).status).toBe(200);
    expect((await get(path, {}, null)).status).toBe(401);
    const satellite = await admin.satellites.create({ name: 'types-edge' });
    const refused = await get(path, {}, satellite.token);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string; message: string })).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('"read"') });
  });

  // Last: it installs another set, which makes the first hash stale for the tests above.
  it('answers a hash that is no longer current 409 without cache headers, and serves the new one', async () => {
    await admin.packages.remove({ name: 'spk-fixture-cjs' });
    const second = await installAndConverge();
    expect(second.lockfileHash).not.toBe(first.lockfileHash);

    for (const path of [typesClosurePath(first.lockfileHash, 'spk-fixture-typed'), typesIndexPath(first.lockfileHash)]) {
      const stale = await get(path);
      expect(stale.status, path).toBe(409);
      expect(stale.headers.get('cache-control')).toBeNull();
      expect(stale.headers.get('etag')).toBeNull();
      const body = (await stale.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['code', 'message']);
      expect(body.code).toBe('STALE_LOCKFILE_HASH');
      expect(body.message).toMatch(/^stale lockfile hash [0-9a-f]+: this instance runs [0-9a-f]+; refetch the install state/);
    }
    await expect(admin.types.closure({ lockfileHash: first.lockfileHash, name: 'spk-fixture-typed' })).rejects.toMatchObject({ status: 409, data: { code: 'STALE_LOCKFILE_HASH' } });

    const current = (await (await get(typesIndexPath())).json()) as TypesIndex;
    expect(current.lockfileHash).toBe(second.lockfileHash);
    expect(current.packages.map((p) => p.name)).not.toContain('spk-fixture-cjs');
    const fresh = await get(typesClosurePath(second.lockfileHash, 'spk-fixture-typed'));
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as TypeClosure).files.map((f) => f.path)).toContain('file:///node_modules/spk-fixture-typed/index.d.ts');
  });
});
