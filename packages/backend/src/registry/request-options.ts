// The one function that turns the registry configuration into the flat options npm's libraries
// (npm-registry-fetch, pacote, Arborist) read: installer and registry client both call it, so they
// never disagree on where to ask and with which credentials. Secrets stay in memory: nothing built
// here is ever written to disk, logged or returned.
import { createHash } from 'node:crypto';
import type { RegistryAuth, RegistrySettings } from '@spk/common';
import { agentProxies, createRegistryAgent, type RegistryAgentOptions } from '../install/registry-agent.ts';

export interface RequestOptionsInput {
  settings: RegistrySettings;
  /** How long one request may go unanswered. */
  timeoutMs: number;
}

/** npm's "nerf dart": `//host[:port]/path/`, the registry URL without protocol, the key auth options hang off. */
export function nerfDart(url: string): string {
  const u = new URL(url);
  const pathname = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return `//${u.host}${pathname}`;
}

/** `url` with a trailing slash on its path, as npm's libraries join paths onto registry URLs. */
export function withTrailingSlash(url: string): string {
  const u = new URL(url);
  if (!u.pathname.endsWith('/')) u.pathname = `${u.pathname}/`;
  return u.href;
}

/** The scope of a package name (`@acme` of `@acme/ui`), or null for an unscoped name. */
function scopeOf(name: string): string | null {
  return name.startsWith('@') && name.includes('/') ? name.slice(0, name.indexOf('/')) : null;
}

/** The registry URL (trailing slash) a package name is fetched from: its scope's registry, else the default. */
export function registryForPackage(settings: RegistrySettings, name: string): string {
  const scope = scopeOf(name);
  return withTrailingSlash((scope !== null ? settings.scopes[scope] : undefined) ?? settings.registry);
}

/**
 * The auth entry npm-registry-fetch would use for `url`: the longest nerf dart that is a prefix of
 * the URL's own (walking up its path, as npm does) and holds a credential.
 */
export function authForUrl(settings: RegistrySettings, url: string): { dart: string; auth: RegistryAuth } | null {
  let dart = nerfDart(url);
  for (;;) {
    const auth = settings.auth[dart];
    if (auth && (auth.token || auth.auth || (auth.username && auth.password))) return { dart, auth };
    const parent = dart.replace(/[^/]+\/$/, '');
    if (parent === dart || parent === '//') return null;
    dart = parent;
  }
}

/** The Authorization header values npm-registry-fetch builds from one auth entry (token, _auth, username/_password). */
function authorizationHeaders(auth: RegistryAuth): string[] {
  const headers: string[] = [];
  if (auth.token) headers.push(`Bearer ${auth.token}`);
  if (auth.auth) headers.push(`Basic ${auth.auth}`);
  if (auth.username && auth.password) headers.push(`Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`);
  return headers;
}

/**
 * The origins a credential keyed by `dart` belongs to. npm matches a nerf dart against a URL's host
 * whatever its protocol; here a credential goes over the protocol of the registries configured on
 * that host (so a redirect from https to http on the same host does not carry it in clear text), or
 * over either when no configured registry is there (a tarball host with its own credentials).
 */
function credentialOrigins(dart: string, registries: readonly URL[]): string[] {
  const host = dart.slice(2, dart.indexOf('/', 2));
  const protocols = new Set(registries.filter((r) => r.host === host).map((r) => r.protocol));
  const allowed = protocols.size > 0 ? [...protocols] : ['https:', 'http:'];
  try {
    return allowed.map((protocol) => new URL(`${protocol}//${host}/`).origin);
  } catch {
    // Not a host a URL can have: npm never matches it either, so the credential goes nowhere.
    return [];
  }
}

function agentOptions(settings: RegistrySettings, timeoutMs: number): RegistryAgentOptions {
  const registries = [settings.registry, ...Object.values(settings.scopes)].map((url) => new URL(url));
  return {
    timeoutMs,
    ca: settings.ca,
    strictSsl: settings.strictSsl,
    proxies: agentProxies(settings, process.env),
    credentials: Object.entries(settings.auth).map(([dart, auth]) => ({ headers: authorizationHeaders(auth), origins: credentialOrigins(dart, registries) })),
    registryOrigins: [...new Set(registries.map((url) => url.origin))],
  };
}

// One agent per configuration and timeout, kept across installs as npm keeps its own (keep-alive
// sockets outlive an install). Settings rarely change, so only a long-unused agent is dropped. The
// key is a digest of everything that shapes an agent: its credentials never sit in the map's keys.
const MAX_AGENTS = 16;
const agents = new Map<string, ReturnType<typeof createRegistryAgent>>();
function agentFor(options: RegistryAgentOptions) {
  const key = createHash('sha256').update(JSON.stringify(options)).digest('hex');
  let agent = agents.get(key);
  if (agent) agents.delete(key);
  else agent = createRegistryAgent(options);
  agents.set(key, agent);
  for (const [oldKey, old] of agents) {
    if (agents.size <= MAX_AGENTS) break;
    agents.delete(oldKey);
    old.destroy();
  }
  return agent;
}

/**
 * Options for npm-registry-fetch / pacote / Arborist: registry, `@scope:registry`, auth by nerf dart
 * (`_password` base64, as npm keeps it in options), ca, strictSSL, proxy, noProxy, timeout, agent.
 * `always-auth` has no option: npm-registry-fetch (npm 7.10+) always sends a registry's credentials
 * with every request under its nerf dart, packuments and tarballs alike, and never elsewhere.
 */
export function npmRequestOptions({ settings, timeoutMs }: RequestOptionsInput): Record<string, unknown> {
  const options: Record<string, unknown> = {
    registry: withTrailingSlash(settings.registry),
    // npm's per-request timer (its default is 5 minutes); the agent applies the same limit to idle sockets.
    timeout: timeoutMs,
    // The agent applies these (it overrides what a request asks for); kept here for what reads options.
    strictSSL: settings.strictSsl,
    ...(settings.ca ? { ca: settings.ca } : {}),
    ...(settings.httpsProxy ? { httpsProxy: settings.httpsProxy } : {}),
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
    ...(settings.noproxy.length > 0 ? { noProxy: settings.noproxy.join(',') } : {}),
    agent: agentFor(agentOptions(settings, timeoutMs)),
  };
  for (const [scope, url] of Object.entries(settings.scopes)) options[`${scope}:registry`] = withTrailingSlash(url);
  for (const [dart, auth] of Object.entries(settings.auth)) {
    if (auth.token) options[`${dart}:_authToken`] = auth.token;
    if (auth.auth) options[`${dart}:_auth`] = auth.auth;
    if (auth.username) options[`${dart}:username`] = auth.username;
    if (auth.password) options[`${dart}:_password`] = Buffer.from(auth.password, 'utf8').toString('base64');
  }
  return options;
}
