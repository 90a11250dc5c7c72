// The web console as the real server serves it: the page and hashed assets without a token, with
// their caching and security headers, while the API still wants one; paths that climb out of the
// assets directory never reach a file; an unbuilt console says how to build it; and by default the
// server serves this repository's apps/web/dist, from its bundle.
import { request } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, spawnServer, type SpawnedServer } from '@spk/tools';

const SECRET = `outside-the-console-${Date.now()}`;
const PAGE = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("console app");';

/** A GET with the request target sent exactly as written (fetch would fold `..` away first). */
function rawGet(url: string, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { path: target }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the web console over HTTP', () => {
  let root: string;
  let server: SpawnedServer;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spk-web-console-'));
    const dist = path.join(root, 'dist');
    await mkdir(path.join(dist, 'assets', 'sub'), { recursive: true });
    await writeFile(path.join(root, 'secret.txt'), SECRET);
    await writeFile(path.join(dist, 'index.html'), PAGE);
    await writeFile(path.join(dist, 'assets', 'app-abc123.js'), SCRIPT);
    await writeFile(path.join(dist, 'assets', 'app-abc123.css'), 'body { margin: 0 }');
    await writeFile(path.join(dist, 'assets', 'codicon-abc123.ttf'), Buffer.from([0, 1, 0, 0]));
    await writeFile(path.join(dist, 'assets', 'sub', 'nested.js'), SCRIPT);
    await symlink(path.join(root, 'secret.txt'), path.join(dist, 'assets', 'leak-abc123.js'));
    server = await spawnServer({ env: { SPK_WEB_DIR: dist } });
  });
  afterAll(async () => {
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('serves the page at / and /index.html without a token, never cached unchecked, with a strict policy', async () => {
    for (const p of ['/', '/index.html']) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(PAGE);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
  });

  it('answers a revalidation with 304 and a HEAD with the headers only', async () => {
    const etag = (await fetch(`${server.url}/`)).headers.get('etag')!;
    const revalidated = await fetch(`${server.url}/`, { headers: { 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect((await fetch(`${server.url}/`, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
    const head = await fetch(`${server.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(PAGE)));
    expect(head.headers.get('etag')).toBe(etag);
  });

  it('serves hashed assets as immutable, with their content types and ETags', async () => {
    for (const [name, type] of [
      ['app-abc123.js', 'text/javascript; charset=utf-8'],
      ['app-abc123.css', 'text/css; charset=utf-8'],
      ['codicon-abc123.ttf', 'font/ttf'],
    ]) {
      const res = await fetch(`${server.url}/assets/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const etag = res.headers.get('etag')!;
      expect((await fetch(`${server.url}/assets/${name}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    }
    expect(await (await fetch(`${server.url}/assets/app-abc123.js`)).text()).toBe(SCRIPT);
  });

  it('answers an unknown asset with a JSON 404, and still wants a token for the API and everything else', async () => {
    const missing = await fetch(`${server.url}/assets/app-zzz999.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('app-zzz999.js') });
    expect((await fetch(`${server.url}/api/packages`)).status).toBe(401);
    expect((await fetch(`${server.url}/rpc/tokens/whoami`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await fetch(`${server.url}/favicon.ico`)).status).toBe(401);
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(401);
    const authorized = await fetch(`${server.url}/api/packages`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(authorized.status).toBe(200);
  });

  it.each([
    '/assets/../secret.txt',
    '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/..\\..\\secret.txt',
    '/assets/%5c..%5c..%5csecret.txt',
    '/assets/app-abc123.js%00.txt',
    '/assets/leak-abc123.js',
    '/assets/sub',
    '/assets/sub%2fnested.js',
    '/assets/%2e%2e',
    '/assets/',
  ])('never serves a file outside the assets directory: %s', async (target) => {
    const { status, body } = await rawGet(server.url, target);
    expect([400, 404]).toContain(status);
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain(SCRIPT);
  });
});

describe('the web console, unbuilt or by default', () => {
  it('answers / with a 404 that says how to build the console when the directory has no index.html', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'spk-web-empty-'));
    const server = await spawnServer({ env: { SPK_WEB_DIR: empty } });
    try {
      const res = await fetch(`${server.url}/`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('run `npm run build`') });
      expect(server.output()).toContain('the web console is not built');
      expect(server.output()).toContain(empty);
    } finally {
      await server.stop();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("serves this repository's built apps/web/dist when SPK_WEB_DIR is unset", async () => {
    const dist = await ensureWebBuilt();
    const server = await spawnServer({ env: { SPK_WEB_DIR: '', LOG_LEVEL: 'info' } });
    try {
      const res = await fetch(`${server.url}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(await readFile(path.join(dist, 'index.html'), 'utf8'));
      expect(server.output()).toContain(`"webDir":${JSON.stringify(dist)}`);
      expect(server.output()).toContain(`Web console: ${server.url}/`);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
