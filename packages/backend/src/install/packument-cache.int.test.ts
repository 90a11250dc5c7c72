import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { craftPackage, publishPackage, startLoopbackServer, type LoopbackServer } from '@spk/tools';
import { packumentCacheDir } from '../packument-cache/packument-cache.ts';
import { systemClock } from '../services.ts';
import { createPackageStore } from '../stores/package-store.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { installedOn, installOn } from './test-support/install-on.ts';

// The persistent packument cache under a registry that answers conditional requests with 304 (as
// npm's does). Asking at every install: an unchanged set is re-installed from 304s alone, a changed
// document is always seen, damaged entries are fetched again, nothing on disk holds a credential.
// Within the documents' freshness: nothing is asked, and a range a kept document cannot satisfy
// is asked again. PGlite only: nothing here depends on the database driver.

// A loopback front for the test registry that answers conditional requests as npm's public
// registry does (Verdaccio sends an ETag but ignores If-None-Match): a package document whose ETag
// the request names is a 304 without a body. Every request is recorded, without its credentials.
interface SeenRequest {
  kind: 'packument' | 'tarball';
  path: string;
  /** The request carried If-None-Match or If-Modified-Since. */
  conditional: boolean;
  status: number;
}

interface ConditionalRegistry extends LoopbackServer {
  readonly seen: SeenRequest[];
}

function forward(upstream: URL, req: IncomingMessage): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  const headers = { ...req.headers };
  delete headers['if-none-match'];
  delete headers['if-modified-since'];
  return new Promise((resolve, reject) => {
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
      answer.on('error', reject);
    });
    out.on('error', reject);
    req.pipe(out);
  });
}

async function startConditionalRegistry(upstreamUrl: string): Promise<ConditionalRegistry> {
  const upstream = new URL(upstreamUrl);
  const seen: SeenRequest[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const kind = url.includes('/-/') ? 'tarball' : 'packument';
    const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined;
    const answer = await forward(upstream, req);
    const etag = answer.headers.etag;
    const notModified = req.method === 'GET' && answer.status === 200 && etag !== undefined && req.headers['if-none-match'] === etag;
    seen.push({ kind, path: url, conditional, status: notModified ? 304 : answer.status });
    if (notModified) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };
  const server = await startLoopbackServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  return { ...server, seen };
}

const RUN = Date.now().toString(36);
const NAME = `spk-packument-cache-${RUN}`;

async function publish(version: string, name = NAME): Promise<void> {
  const pkg = craftPackage({ name, version, main: 'index.js' }, [{ path: 'package/index.js', content: `module.exports = '${version}';` }]);
  await publishPackage(inject('registryUrl'), pkg);
}

const versionAt = (state: { manifest: Array<{ path: string; version: string }> }, name: string) => state.manifest.find((e) => e.path === `node_modules/${name}`)?.version;

describe('central installs through the packument cache, asking the registry at every install', () => {
  let t: TestBackend;
  let front: ConditionalRegistry;
  const cacheDir = () => packumentCacheDir(t.dataDir);
  const versionOf = (state: Awaited<ReturnType<typeof installedOn>>) => versionAt(state, NAME);
  const documentsOf = (name: string) => front.seen.filter((r) => r.kind === 'packument' && decodeURIComponent(r.path) === `/${name}`);

  beforeAll(async () => {
    await publish('1.0.0');
    front = await startConditionalRegistry(inject('registryUrl'));
    t = await createTestBackend('pglite', { registry: { url: `${front.url}/`, token: inject('registryToken') }, types: { autoAdd: false }, packumentMaxAgeMs: 0 });
    await t.client.packages.add({ name: NAME, range: '^1.0.0' });
    await t.client.packages.add({ name: 'spk-fixture-nested', range: '^1.0.0' });
  });
  afterAll(async () => {
    await t?.close();
    await front?.close();
  });

  it('revalidates the documents the declaration checks fetched: one cache for the registry client and installs', async () => {
    expect(documentsOf(NAME).map((r) => [r.conditional, r.status])).toEqual([[false, 200]]);
    front.seen.length = 0;
    await installedOn(t);
    expect(documentsOf(NAME).map((r) => [r.conditional, r.status])).toEqual([[true, 304]]);
  });

  it('re-installs an unchanged set from 304s alone: every document asked with its validator, no tarball, the same hash', async () => {
    front.seen.length = 0;
    await t.client.packages.add({ name: 'spk-fixture-cjs', range: '^1.0.0' });
    const first = await installedOn(t);
    expect(front.seen.filter((r) => r.kind === 'tarball').length).toBeGreaterThan(0);
    front.seen.length = 0;

    const again = await installedOn(t);
    expect(again.lockfileHash).toBe(first.lockfileHash);
    const documents = front.seen.filter((r) => r.kind === 'packument');
    // The declared packages and spk-fixture-nested's dependency.
    expect(new Set(documents.map((r) => r.path)).size).toBeGreaterThanOrEqual(3);
    expect(documents.every((r) => r.conditional && r.status === 304)).toBe(true);
    expect(front.seen.filter((r) => r.kind === 'tarball')).toEqual([]);
  });

  it('keeps its files private to the server and free of the registry token', async () => {
    const dir = cacheDir();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect((await stat(path.join(dir, file))).mode & 0o777).toBe(0o600);
      expect(await readFile(path.join(dir, file), 'utf8')).not.toContain(inject('registryToken'));
    }
  });

  /** Publishes `version` and installs it, from its changed document: asked with the validator it had, it came back whole. */
  async function installsPublished(version: string): Promise<void> {
    await publish(version);
    front.seen.length = 0;
    const state = await installedOn(t);
    expect(versionOf(state)).toBe(version);
    expect(documentsOf(NAME).map((r) => [r.conditional, r.status])).toEqual([[true, 200]]);
  }

  it('installs a version published since under the same range, not the kept resolution', async () => {
    await installsPublished('1.1.0');
  });

  it('asks the registry again for a range the cached document cannot satisfy: fails until that version is published, then installs it', async () => {
    // Declared without the registry check, which would refuse a range nothing satisfies yet.
    await createPackageStore(t.database.db, systemClock).update({ name: NAME, range: '^2.0.0' });
    const refused = await installOn(t);
    expect(refused.status).toBe('failed');
    expect(refused.error?.code).toBe('NO_MATCHING_VERSION');
    // Named from the document as the registry has it now, not as it was kept.
    expect(refused.error?.message).toContain('1.1.0');

    await installsPublished('2.0.0');
  });

  it('fetches a damaged entry whole again and installs from it', async () => {
    const dir = cacheDir();
    for (const file of (await readdir(dir)).filter((name) => name.endsWith('.body'))) await writeFile(path.join(dir, file), '{"damaged":');
    // A changed declared set, so the resolve has to read the documents themselves.
    await t.client.packages.add({ name: 'spk-fixture-leaf', range: '^1.0.0' });
    front.seen.length = 0;
    const state = await installedOn(t);
    expect(versionOf(state)).toBe('2.0.0');
    expect(state.manifest.some((e) => e.path === 'node_modules/spk-fixture-leaf')).toBe(true);
    // 304 first (the meta was intact), then the whole document when its body failed its digest.
    expect(documentsOf(NAME).map((r) => [r.conditional, r.status])).toEqual([
      [true, 304],
      [false, 200],
    ]);
  });
});

describe('central installs within the documents\' freshness', () => {
  const name = `spk-packument-fresh-${RUN}`;
  let t: TestBackend;
  let front: ConditionalRegistry;

  beforeAll(async () => {
    await publish('1.0.0', name);
    front = await startConditionalRegistry(inject('registryUrl'));
    t = await createTestBackend('pglite', { registry: { url: `${front.url}/` }, types: { autoAdd: false } });
    await t.client.packages.add({ name, range: '^1.0.0' });
    await t.client.packages.add({ name: 'spk-fixture-nested', range: '^1.0.0' });
  });
  afterAll(async () => {
    await t?.close();
    await front?.close();
  });

  it('re-installs an unchanged set without asking the registry anything', async () => {
    const first = await installedOn(t);
    front.seen.length = 0;
    const again = await installedOn(t);
    expect(again.lockfileHash).toBe(first.lockfileHash);
    expect(front.seen).toEqual([]);
  });

  it('asks again for a kept document that cannot satisfy a range, and installs the version published since', async () => {
    await publish('2.0.0', name);
    await createPackageStore(t.database.db, systemClock).update({ name, range: '^2.0.0' });
    front.seen.length = 0;
    const state = await installedOn(t);
    expect(versionAt(state, name)).toBe('2.0.0');
    // Nothing was asked before the kept document fell short; then each document was asked again, with its validator.
    const documents = front.seen.filter((r) => r.kind === 'packument');
    expect(documents.every((r) => r.conditional)).toBe(true);
    expect(documents.filter((r) => decodeURIComponent(r.path) === `/${name}`).map((r) => r.status)).toEqual([200]);
  });
});
