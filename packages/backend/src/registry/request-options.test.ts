import { get, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import npmFetch from 'npm-registry-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrySettings } from '@spk/common';
import { startLoopbackServer } from '@spk/tools';
import { registrySettings } from '../testing/registry-settings.ts';
import { makeSelfSignedCertificate } from '../testing/self-signed-certificate.ts';
import { authForUrl, nerfDart, npmRequestOptions, registryForPackage } from './request-options.ts';

const TOKEN_A = 'token-for-registry-a-0123456789';
const USER_B = 'b-user';
const PASSWORD_B = 'b-password:with colon';
const BASIC_B = `Basic ${Buffer.from(`${USER_B}:${PASSWORD_B}`).toString('base64')}`;

function settingsOf(overrides: Partial<RegistrySettings>): RegistrySettings {
  return registrySettings({ registry: 'http://127.0.0.1:9/', ...overrides });
}

interface Seen {
  url: string;
  authorization: string | null;
  cookie: string | null;
}

/** A loopback server answering every request with a small packument, recording what it was sent. */
async function recordingServer(route: (req: IncomingMessage, res: ServerResponse) => boolean = () => false) {
  const seen: Seen[] = [];
  const server = await startLoopbackServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null });
    req.resume();
    if (route(req, res)) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: 'x', 'dist-tags': {}, versions: {} }));
  });
  return { ...server, seen };
}

describe('npmRequestOptions', () => {
  const settings = settingsOf({
    registry: 'https://registry.example.com/npm',
    scopes: { '@acme': 'https://npm.acme.internal', '@tools': 'http://127.0.0.1:4873/' },
    auth: {
      '//npm.acme.internal/': { token: 'acme-token' },
      '//127.0.0.1:4873/': { username: 'tools', password: 'pässword' },
      '//registry.example.com/npm/': { auth: 'dXNlcjpwYXNz', alwaysAuth: true },
    },
    ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
    strictSsl: false,
    httpsProxy: 'http://proxy.example.com:3128',
    noproxy: ['localhost', '.internal'],
  });

  it('gives npm its registry, scope registries, auth by nerf dart (_password in base64), TLS, proxy and timeout keys', () => {
    const { agent, ...options } = npmRequestOptions({ settings, timeoutMs: 12_000 });
    expect(agent).toBeDefined();
    expect(options).toEqual({
      registry: 'https://registry.example.com/npm/',
      '@acme:registry': 'https://npm.acme.internal/',
      '@tools:registry': 'http://127.0.0.1:4873/',
      '//npm.acme.internal/:_authToken': 'acme-token',
      '//127.0.0.1:4873/:username': 'tools',
      '//127.0.0.1:4873/:_password': Buffer.from('pässword').toString('base64'),
      '//registry.example.com/npm/:_auth': 'dXNlcjpwYXNz',
      timeout: 12_000,
      strictSSL: false,
      ca: settings.ca,
      httpsProxy: 'http://proxy.example.com:3128',
      noProxy: 'localhost,.internal',
    });
  });

  it('keeps one agent per configuration: the same for equal settings, another when a credential, the TLS or the proxy changes', () => {
    const first = npmRequestOptions({ settings, timeoutMs: 12_000 }).agent;
    expect(npmRequestOptions({ settings: structuredClone(settings), timeoutMs: 12_000 }).agent).toBe(first);
    expect(npmRequestOptions({ settings: { ...settings, auth: { ...settings.auth, '//npm.acme.internal/': { token: 'rotated' } } }, timeoutMs: 12_000 }).agent).not.toBe(first);
    expect(npmRequestOptions({ settings, timeoutMs: 5_000 }).agent).not.toBe(first);
    for (const changed of [{ ca: null }, { strictSsl: !settings.strictSsl }, { httpsProxy: 'http://other-proxy.example.com:3128' }, { noproxy: ['.other'] }]) {
      expect(npmRequestOptions({ settings: { ...settings, ...changed }, timeoutMs: 12_000 }).agent).not.toBe(first);
    }
  });

  it('picks the scope registry for a scoped name and finds the credential npm would send', () => {
    expect(registryForPackage(settings, '@acme/ui')).toBe('https://npm.acme.internal/');
    expect(registryForPackage(settings, '@other/ui')).toBe('https://registry.example.com/npm/');
    expect(registryForPackage(settings, 'left-pad')).toBe('https://registry.example.com/npm/');
    expect(nerfDart('https://Registry.Example.com:443/npm')).toBe('//registry.example.com/npm/');
    expect(authForUrl(settings, 'https://npm.acme.internal/@acme%2fui/-/ui-1.0.0.tgz')?.dart).toBe('//npm.acme.internal/');
    expect(authForUrl(settings, 'https://registry.example.com/other/')).toBeNull();
  });
});

describe('credentials on the wire, two loopback registries with their own credentials', () => {
  let a: Awaited<ReturnType<typeof recordingServer>>;
  let b: Awaited<ReturnType<typeof recordingServer>>;
  let options: Record<string, unknown>;

  beforeAll(async () => {
    b = await recordingServer();
    a = await recordingServer((req, res) => {
      if (req.url !== '/@a%2fmoved') return false;
      res.writeHead(302, { location: `${b.url}/@b%2fpkg` });
      res.end();
      return true;
    });
    const settings = settingsOf({
      scopes: { '@a': a.url, '@b': b.url },
      auth: { [nerfDart(a.url)]: { token: TOKEN_A }, [nerfDart(b.url)]: { username: USER_B, password: PASSWORD_B } },
    });
    options = npmRequestOptions({ settings, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it("sends registry A's token only to A and B's basic auth only to B", async () => {
    await npmFetch.json('/@a%2fpkg', { ...options, spec: '@a/pkg' });
    await npmFetch.json('/@b%2fpkg', { ...options, spec: '@b/pkg' });
    expect(a.seen).toEqual([{ url: '/@a%2fpkg', authorization: `Bearer ${TOKEN_A}`, cookie: null }]);
    expect(b.seen).toEqual([{ url: '/@b%2fpkg', authorization: BASIC_B, cookie: null }]);
  });

  it("does not carry A's token on a redirect from A to B (same host name, so npm itself would)", async () => {
    a.seen.length = 0;
    b.seen.length = 0;
    await npmFetch.json('/@a%2fmoved', { ...options, spec: '@a/moved' });
    expect(a.seen).toEqual([{ url: '/@a%2fmoved', authorization: `Bearer ${TOKEN_A}`, cookie: null }]);
    expect(b.seen).toEqual([{ url: '/@b%2fpkg', authorization: null, cookie: null }]);
  });

  it("sends a credential only over its registry's protocol: not in clear text to http on an https registry's host and port", async () => {
    const port = new URL(a.url).port;
    const sendWith = (registry: string) => {
      const { agent } = npmRequestOptions({ settings: settingsOf({ registry, auth: { [nerfDart(registry)]: { token: TOKEN_A } } }), timeoutMs: 5_000 });
      return new Promise<void>((resolve, reject) => {
        get(`${a.url}/probe`, { agent: agent as never, headers: { authorization: `Bearer ${TOKEN_A}`, cookie: 'session=1' } }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
    };
    a.seen.length = 0;
    await sendWith(`https://127.0.0.1:${port}/`);
    await sendWith(`http://127.0.0.1:${port}/`);
    expect(a.seen).toEqual([
      { url: '/probe', authorization: null, cookie: null },
      { url: '/probe', authorization: `Bearer ${TOKEN_A}`, cookie: 'session=1' },
    ]);
  });
});

describe('proxies from the configuration', () => {
  let registry: Awaited<ReturnType<typeof recordingServer>>;
  let httpProxy: Awaited<ReturnType<typeof recordingServer>>;
  let otherProxy: Awaited<ReturnType<typeof recordingServer>>;

  beforeAll(async () => {
    [registry, httpProxy, otherProxy] = await Promise.all([recordingServer(), recordingServer(), recordingServer()]);
  });
  afterAll(async () => {
    await Promise.all([registry?.close(), httpProxy?.close(), otherProxy?.close()]);
  });

  it('sends a plain http registry request through `proxy` (not `https-proxy`), with the absolute URL a proxy expects', async () => {
    const options = npmRequestOptions({ settings: settingsOf({ registry: 'http://registry.invalid/', proxy: httpProxy.url, httpsProxy: otherProxy.url }), timeoutMs: 5_000 });
    await npmFetch.json('/left-pad', options);
    expect(httpProxy.seen.map((s) => s.url)).toEqual(['http://registry.invalid/left-pad']);
    expect(otherProxy.seen).toEqual([]);
  });

  it('uses the one proxy given for both protocols, as npm does, and goes direct to a noproxy host', async () => {
    httpProxy.seen.length = 0;
    const viaHttpsProxy = npmRequestOptions({ settings: settingsOf({ registry: 'http://registry.invalid/', httpsProxy: otherProxy.url }), timeoutMs: 5_000 });
    await npmFetch.json('/left-pad', viaHttpsProxy);
    expect(otherProxy.seen.map((s) => s.url)).toEqual(['http://registry.invalid/left-pad']);

    const direct = npmRequestOptions({ settings: settingsOf({ registry: registry.url, proxy: httpProxy.url, noproxy: ['127.0.0.1'] }), timeoutMs: 5_000 });
    await npmFetch.json('/left-pad', direct);
    expect(registry.seen.map((s) => s.url)).toEqual(['/left-pad']);
    expect(httpProxy.seen).toEqual([]);
  });
});

const certificate = makeSelfSignedCertificate();

describe('strict-ssl and ca against an https loopback registry with a self-signed certificate', () => {
  let server: HttpsServer;
  let url: string;

  beforeAll(async () => {
    server = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'x', versions: {} }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  const fetchWith = (overrides: Partial<RegistrySettings>) => npmFetch.json('/x', npmRequestOptions({ settings: settingsOf({ registry: url, ...overrides }), timeoutMs: 5_000 }));

  it('refuses the registry without its CA while strict-ssl is on', async () => {
    await expect(fetchWith({})).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) });
  });

  it('trusts it once its certificate is the configured ca', async () => {
    await expect(fetchWith({ ca: [certificate.cert] })).resolves.toEqual({ name: 'x', versions: {} });
  });

  it('accepts it without a ca when strict-ssl is off', async () => {
    await expect(fetchWith({ strictSsl: false })).resolves.toEqual({ name: 'x', versions: {} });
  });
});
