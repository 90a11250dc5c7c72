import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '@spk/tools';
import { answerHeaders, createPackumentCache, type PackumentCache, type PackumentCacheOptions, type PackumentFetch } from './packument-cache.ts';

// The cache against a real HTTP server on loopback that answers conditional requests the way
// registries do: what is sent, what comes back, and what is left on disk.

interface Served {
  body: string;
  etag?: string;
  lastModified?: string;
  cacheControl?: string;
}

interface Seen {
  path: string;
  ifNoneMatch: string | null;
  ifModifiedSince: string | null;
  status: number;
}

const documents = new Map<string, Served>();
const seen: Seen[] = [];
let server: LoopbackServer;
let dir: string;

beforeAll(async () => {
  server = await startLoopbackServer((req, res) => {
    const served = documents.get(req.url ?? '');
    const ifNoneMatch = req.headers['if-none-match'] ?? null;
    const ifModifiedSince = req.headers['if-modified-since'] ?? null;
    const notModified = served !== undefined && ((served.etag && ifNoneMatch === served.etag) || (!served.etag && served.lastModified && ifModifiedSince === served.lastModified));
    const status = served === undefined ? 404 : notModified ? 304 : 200;
    seen.push({ path: req.url ?? '', ifNoneMatch, ifModifiedSince, status });
    const headers = {
      ...(served?.etag ? { etag: served.etag } : {}),
      ...(served?.lastModified ? { 'last-modified': served.lastModified } : {}),
      ...(served?.cacheControl ? { 'cache-control': served.cacheControl } : {}),
    };
    res.writeHead(status, headers).end(status === 200 ? served!.body : undefined);
  });
});
afterAll(() => server?.close());
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spk-packument-cache-'));
  documents.clear();
  seen.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const entriesDir = () => path.join(dir, 'entries');

/** The request of one document, as the installer's and the registry client's do it. */
function fetchOf(docPath: string): PackumentFetch {
  return async (conditional) => {
    const response = await fetch(`${server.url}${docPath}`, { headers: conditional });
    if (response.status === 304) return { status: 304, headers: answerHeaders(response.headers) };
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return { status: 200, body: Buffer.from(await response.arrayBuffer()), headers: answerHeaders(response.headers) };
  };
}

async function use(cache: PackumentCache, docPath: string) {
  const current = await cache.current({ url: `${server.url}${docPath}`, accept: 'application/json' }, fetchOf(docPath));
  const { body } = await current.document();
  return { via: current.via, text: body.toString('utf8') };
}

/** A cache that asks the registry at every use, unless the test says otherwise. */
const open = (options: Partial<PackumentCacheOptions> = {}) => createPackumentCache({ dir: entriesDir(), maxAgeMs: 0, ...options });

const doc = (name: string, versions: string[]) => JSON.stringify({ name, versions: Object.fromEntries(versions.map((v) => [v, { name, version: v }])) });

describe('the packument cache', () => {
  it('asks with the ETag it was given at every use and answers a 304 from disk', async () => {
    documents.set('/a', { body: doc('a', ['1.0.0']), etag: '"a1"' });
    const cache = open();
    expect(await use(cache, '/a')).toEqual({ via: 'fetched', text: doc('a', ['1.0.0']) });
    expect(await use(cache, '/a')).toEqual({ via: 'not-modified', text: doc('a', ['1.0.0']) });
    expect(seen.map((s) => [s.ifNoneMatch, s.status])).toEqual([
      [null, 200],
      ['"a1"', 304],
    ]);
  });

  it('asks with If-Modified-Since when the registry gave only Last-Modified', async () => {
    const lastModified = 'Tue, 03 Jun 2025 10:00:00 GMT';
    documents.set('/b', { body: doc('b', ['1.0.0']), lastModified });
    const cache = open();
    await use(cache, '/b');
    expect((await use(cache, '/b')).via).toBe('not-modified');
    expect(seen.map((s) => [s.ifModifiedSince, s.status])).toEqual([
      [null, 200],
      [lastModified, 304],
    ]);
  });

  it('serves a changed document as soon as the registry has it, even one the kept copy could not satisfy', async () => {
    documents.set('/c', { body: doc('c', ['1.0.0']), etag: '"c1"' });
    const cache = open();
    await use(cache, '/c');
    documents.set('/c', { body: doc('c', ['1.0.0', '2.0.0']), etag: '"c2"' });
    expect(await use(cache, '/c')).toEqual({ via: 'fetched', text: doc('c', ['1.0.0', '2.0.0']) });
    // Kept: the next use is a 304 for the new ETag.
    expect((await use(cache, '/c')).via).toBe('not-modified');
    expect(seen.at(-1)).toMatchObject({ ifNoneMatch: '"c2"', status: 304 });
  });

  it('counts a whole answer equal to the kept body as unchanged when the registry sends no validators', async () => {
    documents.set('/d', { body: doc('d', ['1.0.0']) });
    const cache = open();
    const first = await cache.current({ url: `${server.url}/d`, accept: 'application/json' }, fetchOf('/d'));
    const second = await cache.current({ url: `${server.url}/d`, accept: 'application/json' }, fetchOf('/d'));
    expect([first.via, second.via]).toEqual(['fetched', 'same']);
    expect(second.digest).toBe(first.digest);
    documents.set('/d', { body: doc('d', ['1.0.0', '1.1.0']) });
    const third = await cache.current({ url: `${server.url}/d`, accept: 'application/json' }, fetchOf('/d'));
    expect(third.via).toBe('fetched');
    expect(third.digest).not.toBe(first.digest);
  });

  it('drops the least recently used documents beyond its bound', async () => {
    const body = (name: string) => JSON.stringify({ name, pad: 'x'.repeat(1000) });
    for (const name of ['e1', 'e2', 'e3']) documents.set(`/${name}`, { body: body(name), etag: `"${name}"` });
    const cache = open({ maxBytes: 2.5 * body('e1').length });
    await use(cache, '/e1');
    await use(cache, '/e2');
    await use(cache, '/e1');
    // e2 is now the least recently used: keeping e3 drops it.
    await use(cache, '/e3');
    expect((await readdir(entriesDir())).filter((f) => f.endsWith('.body'))).toHaveLength(2);

    seen.length = 0;
    const reopened = open({ maxBytes: 2.5 * body('e1').length });
    for (const name of ['e3', 'e1', 'e2']) await use(reopened, `/${name}`);
    expect(seen.map((s) => [s.path, s.status])).toEqual([
      ['/e3', 304],
      ['/e1', 304],
      ['/e2', 200],
    ]);
  });

  it('answers a document larger than its bound without keeping it', async () => {
    documents.set('/big', { body: doc('big', ['1.0.0']), etag: '"big"' });
    const cache = open({ maxBytes: 10 });
    expect((await use(cache, '/big')).text).toBe(doc('big', ['1.0.0']));
    expect((await use(cache, '/big')).via).toBe('fetched');
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([null, null]);
  });

  it('fetches the whole document again when the kept body is damaged', async () => {
    documents.set('/f', { body: doc('f', ['1.0.0']), etag: '"f1"' });
    const cache = open();
    await use(cache, '/f');
    const [bodyFile] = (await readdir(entriesDir())).filter((f) => f.endsWith('.body'));
    await writeFile(path.join(entriesDir(), bodyFile!), doc('f', ['6.6.6']));
    expect((await use(cache, '/f')).text).toBe(doc('f', ['1.0.0']));
    expect(seen.map((s) => [s.ifNoneMatch, s.status])).toEqual([
      [null, 200],
      ['"f1"', 304],
      [null, 200],
    ]);
    // Repaired: the next use is a 304 answered from disk again.
    expect(await use(cache, '/f')).toEqual({ via: 'not-modified', text: doc('f', ['1.0.0']) });
  });

  it('asks without validators when the kept meta is damaged', async () => {
    documents.set('/g', { body: doc('g', ['1.0.0']), etag: '"g1"' });
    const cache = open();
    await use(cache, '/g');
    const [metaFile] = (await readdir(entriesDir())).filter((f) => f.endsWith('.meta'));
    await writeFile(path.join(entriesDir(), metaFile!), '{"digest":');
    expect(await use(cache, '/g')).toEqual({ via: 'fetched', text: doc('g', ['1.0.0']) });
    expect(seen.map((s) => s.ifNoneMatch)).toEqual([null, null]);
  });

  it('keeps its files private to the server and holds nothing but the document and its validators', async () => {
    documents.set('/h', { body: doc('h', ['1.0.0']), etag: '"h1"' });
    const cache = open();
    await cache.current({ url: `${server.url}/h`, accept: 'application/json' }, async (conditional) => fetchOf('/h')({ ...conditional, authorization: 'Bearer npm_secret' }));
    expect((await stat(entriesDir())).mode & 0o777).toBe(0o700);
    for (const file of await readdir(entriesDir())) {
      expect((await stat(path.join(entriesDir(), file))).mode & 0o777).toBe(0o600);
      const text = await readFile(path.join(entriesDir(), file), 'utf8');
      expect(text).not.toContain('npm_secret');
      expect(text).not.toContain(server.url);
    }
  });

  it('refuses a 304 to a request that named no validator', async () => {
    const cache = open();
    await expect(cache.current({ url: `${server.url}/i`, accept: 'application/json' }, async () => ({ status: 304, headers: answerHeaders(new Headers()) }))).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
  });

  it('uses a fresh document without asking, and revalidates it once it is stale', async () => {
    documents.set('/j', { body: doc('j', ['1.0.0']), etag: '"j1"' });
    let clock = 1_000_000;
    const cache = open({ maxAgeMs: 60_000, now: () => clock });
    await use(cache, '/j');
    clock += 59_000;
    expect(await use(cache, '/j')).toEqual({ via: 'fresh', text: doc('j', ['1.0.0']) });
    expect(seen).toHaveLength(1);
    clock += 2_000;
    expect((await use(cache, '/j')).via).toBe('not-modified');
    // The 304 made it fresh again.
    clock += 59_000;
    expect((await use(cache, '/j')).via).toBe('fresh');
    expect(seen.map((s) => s.status)).toEqual([200, 304]);
  });

  it('asks while fresh when told to revalidate, and sees the version published since', async () => {
    documents.set('/k', { body: doc('k', ['1.0.0']), etag: '"k1"' });
    const cache = open({ maxAgeMs: 60_000 });
    await use(cache, '/k');
    documents.set('/k', { body: doc('k', ['1.0.0', '2.0.0']), etag: '"k2"' });
    expect((await use(cache, '/k')).text).toBe(doc('k', ['1.0.0']));
    const current = await cache.current({ url: `${server.url}/k`, accept: 'application/json' }, fetchOf('/k'), { revalidate: true });
    expect(current.via).toBe('fetched');
    expect((await current.document()).body.toString('utf8')).toBe(doc('k', ['1.0.0', '2.0.0']));
    expect(seen.map((s) => [s.ifNoneMatch, s.status])).toEqual([
      [null, 200],
      ['"k1"', 200],
    ]);
  });

  it("follows the registry's Cache-Control: a shorter max-age, no-cache, and no-store kept nowhere", async () => {
    let clock = 1_000_000;
    const cache = open({ maxAgeMs: 300_000, now: () => clock });
    documents.set('/short', { body: doc('short', ['1.0.0']), etag: '"s"', cacheControl: 'public, max-age=10' });
    documents.set('/nocache', { body: doc('nocache', ['1.0.0']), etag: '"n"', cacheControl: 'no-cache' });
    documents.set('/nostore', { body: doc('nostore', ['1.0.0']), etag: '"x"', cacheControl: 'no-store' });
    for (const name of ['short', 'nocache', 'nostore']) await use(cache, `/${name}`);
    clock += 5_000;
    expect((await use(cache, '/short')).via).toBe('fresh');
    expect((await use(cache, '/nocache')).via).toBe('not-modified');
    expect((await use(cache, '/nostore')).via).toBe('fetched');
    clock += 6_000;
    expect((await use(cache, '/short')).via).toBe('not-modified');
    expect(seen.filter((s) => s.path === '/nostore').map((s) => s.ifNoneMatch)).toEqual([null, null]);
  });
});
