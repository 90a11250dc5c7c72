// The registry client against the real fixture registry (Verdaccio): search, versions with
// deprecations and dist-tags, package info for typed, untyped and install-script fixtures, the
// scope's own registry, and each failure as the typed error an operator reads (404, a refused
// token that is never echoed, a timeout, an oversized or unreadable answer), plus the cache.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registrySettingsSchema, type RegistrySettingsInput, type SpkError } from '@spk/common';
import { freePort, PRIVATE_SCOPE, startLoopbackServer, startSlowRegistryProxy, type LoopbackServer, type SlowRegistryProxy } from '@spk/tools';
import { silentLogger } from '../services.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { nerfDart } from './request-options.ts';
import { createRegistryClient, MAX_PACKUMENT_BYTES, type RegistryClientDeps } from './registry-client.ts';

const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e as SpkError);
const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

function clientFor(settings: RegistrySettingsInput, options: Partial<RegistryClientDeps> & { timeoutMs?: number } = {}) {
  const parsed = registrySettingsSchema.parse(settings);
  return createRegistryClient({ access: async () => ({ settings: parsed, timeoutMs: options.timeoutMs ?? 30_000 }), logger: silentLogger, ...options });
}

describe('registry client against the fixture registry', () => {
  const registry = () => withSlash(inject('registryUrl'));
  const client = () => clientFor({ registry: inject('registryUrl') });

  it('searches the default registry, one row per package with its latest version and description', async () => {
    const answer = await client().search('spk-fixture', 50);
    expect(answer.registry).toBe(registry());
    const names = answer.results.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['spk-fixture-deprecated', 'spk-fixture-esm', 'spk-fixture-typed']));
    expect(names).not.toContain(`${PRIVATE_SCOPE}/secret`);
    expect(answer.results.find((r) => r.name === 'spk-fixture-deprecated')).toMatchObject({
      version: '2.0.0',
      description: 'Fixture: 1.x deprecated, 2.0.0 latest, 3.0.0-beta.1 under the next tag',
      deprecated: null,
    });
    expect((await client().search('spk-fixture', 2)).results).toHaveLength(2);
  });

  it('lists versions newest first with their deprecation messages, publish times and dist-tags', async () => {
    const answer = await client().versions('spk-fixture-deprecated');
    expect(answer).toMatchObject({ name: 'spk-fixture-deprecated', registry: registry(), distTags: { latest: '2.0.0', next: '3.0.0-beta.1' } });
    expect(answer.versions.map(({ version, deprecated }) => ({ version, deprecated }))).toEqual([
      { version: '3.0.0-beta.1', deprecated: null },
      { version: '2.0.0', deprecated: null },
      { version: '1.1.0', deprecated: '1.1.0 ships a broken build; use 2.x' },
      { version: '1.0.0', deprecated: 'use 2.x' },
    ]);
    for (const { publishedAt } of answer.versions) expect(Number.isNaN(Date.parse(publishedAt ?? ''))).toBe(false);
  });

  it('describes a package with own types: no companion looked for', async () => {
    expect(await client().packageInfo('spk-fixture-typed')).toEqual({
      name: 'spk-fixture-typed',
      registry: registry(),
      version: '1.0.0',
      latest: '1.0.0',
      description: 'Fixture: ships its own type declarations',
      license: 'MIT',
      homepage: null,
      repository: null,
      unpackedSize: null,
      dependencyCount: 0,
      hasOwnTypes: true,
      typesPackage: null,
      deprecated: null,
      hasInstallScript: false,
      distTags: { latest: '1.0.0' },
    });
  });

  it('names the @types companion of an untyped package, scoped ones under DefinitelyTyped\'s name', async () => {
    expect(await client().packageInfo('spk-fixture-untyped')).toMatchObject({ hasOwnTypes: false, typesPackage: '@types/spk-fixture-untyped' });
    expect(await client().packageInfo('@spk-fixtures/untyped-scoped')).toMatchObject({ hasOwnTypes: false, typesPackage: '@types/spk-fixtures__untyped-scoped' });
    expect(await client().packageInfo('spk-fixture-esm')).toMatchObject({ hasOwnTypes: false, typesPackage: null });
  });

  it('says which packages run install scripts, and counts dependencies', async () => {
    expect(await client().packageInfo('spk-fixture-install-script')).toMatchObject({ hasInstallScript: true });
    expect(await client().packageInfo('spk-fixture-cjs@^1')).toMatchObject({ hasInstallScript: false, dependencyCount: 1 });
  });

  it('picks the version a range or a dist-tag names, with its deprecation, next to latest', async () => {
    expect(await client().packageInfo('spk-fixture-deprecated@^1')).toMatchObject({ version: '1.1.0', latest: '2.0.0', deprecated: '1.1.0 ships a broken build; use 2.x' });
    expect(await client().packageInfo('spk-fixture-deprecated@next')).toMatchObject({ version: '3.0.0-beta.1', deprecated: null });
    expect(await client().packageInfo('spk-fixture-deprecated')).toMatchObject({ version: '2.0.0' });
    const none = await failureOf(client().packageInfo('spk-fixture-deprecated@^9'));
    expect(none).toMatchObject({ code: 'NO_MATCHING_VERSION' });
    expect(none?.message).toBe(
      `no version of spk-fixture-deprecated matches "^9" in the registry ${registry()} (newest versions: 3.0.0-beta.1, 2.0.0, 1.1.0, 1.0.0; dist-tags: latest=2.0.0, next=3.0.0-beta.1); try spk-fixture-deprecated@^2.0.0`,
    );
  });

  it('answers PACKAGE_NOT_FOUND naming the registry for a name it does not hold, and INVALID_SPEC for a spec that is no registry spec', async () => {
    const missing = await failureOf(client().versions('spk-fixture-nope'));
    expect(missing).toMatchObject({ code: 'PACKAGE_NOT_FOUND', message: `no package spk-fixture-nope in the registry ${registry()}` });
    expect(await failureOf(client().packageInfo('github:acme/x'))).toMatchObject({ code: 'INVALID_SPEC' });
    expect(await failureOf(client().versions('../etc'))).toMatchObject({ code: 'INVALID_SPEC' });
  });
});

describe('registry client and scoped registries', () => {
  let down = '';
  beforeAll(async () => {
    down = `http://127.0.0.1:${await freePort()}/`;
  });

  it("asks a scoped name's own registry, with that registry's token", async () => {
    const scoped = withSlash(inject('registryUrl'));
    const client = clientFor({
      registry: down,
      scopes: { [PRIVATE_SCOPE]: scoped },
      auth: { [nerfDart(scoped)]: { token: inject('registryToken') } },
    });
    expect(await client.versions(`${PRIVATE_SCOPE}/secret`)).toMatchObject({ registry: scoped, distTags: { latest: '1.0.0' } });
    const unscoped = await failureOf(client.versions('spk-fixture-esm'));
    expect(unscoped).toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: `the registry at ${new URL(down).host} could not be reached (ECONNREFUSED); check the registry URL and the network` });
  });

  it('answers REGISTRY_AUTH_FAILED naming the registry when its token is missing or wrong, never the token', async () => {
    const url = withSlash(inject('registryUrl'));
    const anonymous = await failureOf(clientFor({ registry: url }).versions(`${PRIVATE_SCOPE}/secret`));
    expect(anonymous?.code).toBe('REGISTRY_AUTH_FAILED');
    expect(anonymous?.message).toMatch(new RegExp(`^the token for ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is missing or wrong \\(HTTP 40[13]\\); set the token with spk registry import-npmrc or spk registry set$`));

    const wrongToken = 'npm_wrong-token-4f9d2c';
    const wrong = await failureOf(clientFor({ registry: url, auth: { [nerfDart(url)]: { token: wrongToken } } }).packageInfo(`${PRIVATE_SCOPE}/secret`));
    expect(wrong?.code).toBe('REGISTRY_AUTH_FAILED');
    expect(JSON.stringify({ message: wrong?.message, details: wrong?.details })).not.toContain(wrongToken);
  });
});

describe('registry client limits and cache', () => {
  let proxy: SlowRegistryProxy;
  let odd: LoopbackServer;
  let oddAnswer: 'huge' | 'not-json' = 'huge';

  beforeAll(async () => {
    proxy = await startSlowRegistryProxy(inject('registryUrl'), 0);
    // A registry answering nonsense: a document past the client's cap (streamed without a length), or not JSON.
    odd = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (oddAnswer === 'not-json') return void res.end('<html>a login page</html>');
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent <= MAX_PACKUMENT_BYTES && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await odd?.close();
  });

  // spk-fixture-typed has own types, so package info asks for no @types companion: one document, one request.
  it('answers a repeat from memory, and asks again once the settings change or the entry expires', async () => {
    let now = 1_000_000;
    const settings = { registry: proxy.url };
    const client = clientFor(settings, { now: () => now, cacheTtlMs: 60_000 });
    const before = proxy.requests;
    await client.versions('spk-fixture-typed');
    await client.versions('spk-fixture-typed');
    await client.packageInfo('spk-fixture-typed@^1');
    expect(proxy.requests - before).toBe(1);

    now += 61_000;
    await client.versions('spk-fixture-typed');
    expect(proxy.requests - before).toBe(2);

    // Same registry, another token: a new identity, so nothing cached under the old one is served.
    const changed = createRegistryClient({
      access: async () => ({ settings: registrySettingsSchema.parse({ ...settings, auth: { [nerfDart(withSlash(proxy.url))]: { token: inject('registryToken') } } }), timeoutMs: 30_000 }),
      logger: silentLogger,
    });
    await changed.versions('spk-fixture-typed');
    expect(proxy.requests - before).toBe(3);
  });

  it('shares one request between concurrent askers of one document', async () => {
    const client = clientFor({ registry: proxy.url });
    const before = proxy.requests;
    await Promise.all([client.versions('spk-fixture-typed'), client.versions('spk-fixture-typed'), client.packageInfo('spk-fixture-typed@1')]);
    expect(proxy.requests - before).toBe(1);
  });

  it('says the registry did not answer in time, naming its host and the limit', async () => {
    proxy.delayMs = 3_000;
    try {
      const started = Date.now();
      const error = await failureOf(clientFor({ registry: proxy.url }, { timeoutMs: 300 }).search('spk-fixture', 5));
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: `the registry at ${new URL(proxy.url).host} did not answer within 0.3 s` });
    } finally {
      proxy.delayMs = 0;
    }
  });

  it('refuses a document over the size cap without reading it all, and an answer that is not JSON', async () => {
    oddAnswer = 'huge';
    const huge = await failureOf(clientFor({ registry: odd.url }).versions('spk-fixture-esm'));
    expect(huge).toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      message: `the registry ${withSlash(odd.url)} sent the document of spk-fixture-esm larger than 16 MiB, more than the registry client reads`,
    });
    oddAnswer = 'not-json';
    const html = await failureOf(clientFor({ registry: odd.url }).versions('spk-fixture-esm'));
    expect(html).toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: `the registry ${withSlash(odd.url)} answered for spk-fixture-esm with something that is not a package document` });
  });
});

describe('registry client through the API', () => {
  let t: TestBackend;
  beforeAll(async () => {
    t = await createTestBackend('pglite', { registry: { url: inject('registryUrl') } });
  });
  afterAll(() => t?.close());

  it('serves registry.search, registry.versions and registry.package from the configured registry', async () => {
    expect((await t.client.registry.search({ text: 'spk-fixture-dep' })).results.map((r) => r.name)).toEqual(['spk-fixture-deprecated']);
    expect((await t.client.registry.versions({ name: 'spk-fixture-deprecated' })).versions[0]).toMatchObject({ version: '3.0.0-beta.1', deprecated: null });
    expect(await t.client.registry.package({ spec: 'spk-fixture-deprecated@1.0.0' })).toMatchObject({ version: '1.0.0', deprecated: 'use 2.x' });
  });

  it('answers a refused token as 502 REGISTRY_AUTH_FAILED and a missing package as 404', async () => {
    const refused = await failureOf(t.client.registry.versions({ name: `${PRIVATE_SCOPE}/secret` }));
    expect(refused).toMatchObject({ status: 502, data: { code: 'REGISTRY_AUTH_FAILED' } });
    expect(await failureOf(t.client.registry.package({ spec: 'spk-fixture-nope' }))).toMatchObject({ status: 404, data: { code: 'PACKAGE_NOT_FOUND' } });
  });
});
