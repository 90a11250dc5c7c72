import { get as httpGet, type Agent } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '@spk/tools';
import { makeSelfSignedCertificate } from '../testing/self-signed-certificate.ts';
import { agentProxies, createRegistryAgent, type RegistryAgentOptions } from './registry-agent.ts';

const noProxies = { 'https:': undefined, 'http:': undefined, noProxy: [] };
const base: RegistryAgentOptions = { timeoutMs: 5_000, ca: null, strictSsl: true, proxies: noProxies, credentials: [], registryOrigins: [] };

function request(get: typeof httpGet, url: string, agent: Agent, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('agentProxies', () => {
  const none = { httpsProxy: null, proxy: null, noproxy: [] };

  it('takes https-proxy for https and proxy for http, and the one given for both when only one is', () => {
    expect(agentProxies({ httpsProxy: 'http://s:1', proxy: 'http://p:2', noproxy: ['a.example'] }, { HTTPS_PROXY: 'http://env:3' })).toEqual({
      'https:': 'http://s:1',
      'http:': 'http://p:2',
      noProxy: ['a.example'],
    });
    expect(agentProxies({ ...none, httpsProxy: 'http://s:1' }, {})).toEqual({ 'https:': 'http://s:1', 'http:': 'http://s:1', noProxy: [] });
    expect(agentProxies({ ...none, proxy: 'http://p:2' }, {})).toEqual({ 'https:': 'http://p:2', 'http:': 'http://p:2', noProxy: [] });
  });

  it("falls back to the environment as npm's agent does (any case; https_proxy serves http too), NO_PROXY included", () => {
    expect(agentProxies(none, { https_proxy: 'http://env-s:1', HTTP_PROXY: 'http://env-p:2', NO_PROXY: 'localhost, .internal' })).toEqual({
      'https:': 'http://env-s:1',
      'http:': 'http://env-s:1',
      noProxy: ['localhost', '.internal'],
    });
    expect(agentProxies(none, { HTTP_PROXY: 'http://env-p:2', HTTPS_PROXY: '' })).toEqual({ 'https:': undefined, 'http:': 'http://env-p:2', noProxy: [] });
  });
});

describe('the origin rule', () => {
  let a: LoopbackServer & { seen: Array<{ authorization: string | null; cookie: string | null }> };
  let b: LoopbackServer & { seen: Array<{ authorization: string | null; cookie: string | null }> };

  const recording = async () => {
    const seen: Array<{ authorization: string | null; cookie: string | null }> = [];
    const server = await startLoopbackServer((req, res) => {
      seen.push({ authorization: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null });
      res.end();
    });
    return { ...server, seen };
  };
  beforeAll(async () => {
    [a, b] = await Promise.all([recording(), recording()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('lets a credential and cookies through only to the origins they belong to, and drops a header of no known credential', async () => {
    const agent = createRegistryAgent({
      ...base,
      credentials: [
        { headers: ['Bearer token-a'], origins: [new URL(a.url).origin] },
        { headers: ['Bearer token-b'], origins: [new URL(b.url).origin] },
      ],
      registryOrigins: [new URL(a.url).origin, new URL(b.url).origin],
    });
    await request(httpGet, `${a.url}/x`, agent, { authorization: 'Bearer token-a', cookie: 'c=1' });
    await request(httpGet, `${b.url}/x`, agent, { authorization: 'Bearer token-a', cookie: 'c=1' });
    await request(httpGet, `${b.url}/x`, agent, { authorization: 'Bearer token-b' });
    await request(httpGet, `${a.url}/x`, agent, { authorization: 'Bearer made-up' });
    expect(a.seen).toEqual([
      { authorization: 'Bearer token-a', cookie: 'c=1' },
      { authorization: null, cookie: null },
    ]);
    expect(b.seen).toEqual([
      { authorization: null, cookie: 'c=1' },
      { authorization: 'Bearer token-b', cookie: null },
    ]);
    agent.destroy();
  });
});

const certificate = makeSelfSignedCertificate();

// make-fetch-happen also passes ca and strict-ssl per request; the agent must apply them by itself,
// since its options win over the request's and not every caller passes them.
describe('TLS settings applied by the agent alone', () => {
  let server: HttpsServer;
  let url: string;

  beforeAll(async () => {
    server = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (_req, res) => res.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('refuses a certificate outside its ca, trusts the configured ca, and skips the check with strict-ssl off', async () => {
    await expect(request(httpsGet, url, createRegistryAgent(base))).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) });
    await expect(request(httpsGet, url, createRegistryAgent({ ...base, ca: [certificate.cert] }))).resolves.toBe(200);
    await expect(request(httpsGet, url, createRegistryAgent({ ...base, strictSsl: false }))).resolves.toBe(200);
  });
});
