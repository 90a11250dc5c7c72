// The HTTP agent every registry request goes through (installs and the registry client alike): npm's
// own agent (keep-alive, socket timeouts, proxies, TLS) built from the registry configuration, plus
// a rule npm lacks: an Authorization header (and cookies) only ever goes to an origin its credential
// belongs to. make-fetch-happen strips them on a redirect only when the host *name* changes, so a
// redirect to another port, or from one registry to another on the same host, carried the token.
// Because we pass this agent, make-fetch-happen builds none of its own: ca, strict-ssl and the
// proxies must be applied here, or they would be silently ignored.
import type { ClientRequest, Agent as HttpAgent, RequestOptions } from 'node:http';
import { createRequire } from 'node:module';

interface NpmAgentOptions {
  /** Socket idle timeout in ms (what npm maps its `timeout` to). */
  timeout?: number;
  proxy?: string;
  /** Host names (or suffixes) reached without the proxy. */
  noProxy?: string[];
  /** Handed to tls.connect; the agent's options override the request's. */
  ca?: string[];
  rejectUnauthorized?: boolean;
}
interface NpmAgent extends HttpAgent {
  // Not in Node's public Agent typings, but the method every http.request calls on its agent.
  addRequest(request: ClientRequest, options: RequestOptions): void;
}
// @npmcli/agent ships no types: the one constructor used here, typed by hand.
const { Agent } = createRequire(import.meta.url)('@npmcli/agent') as { Agent: new (options: NpmAgentOptions) => NpmAgent };

export type RequestProtocol = 'http:' | 'https:';

/** The proxy each protocol goes through (undefined: direct), and the hosts that skip it. */
export interface AgentProxies {
  'https:': string | undefined;
  'http:': string | undefined;
  noProxy: string[];
}

export interface RegistryAgentOptions {
  /** Per-request socket idle timeout, the same limit npm's request timer applies. */
  timeoutMs: number;
  /** PEM certificates that replace Node's trusted roots (npm's `ca`); null keeps the defaults. */
  ca: readonly string[] | null;
  /** npm's `strict-ssl`: refuse a certificate that does not verify. */
  strictSsl: boolean;
  proxies: AgentProxies;
  /** Each credential: the Authorization header values it produces, and the origins it may go to. */
  credentials: ReadonlyArray<{ headers: readonly string[]; origins: readonly string[] }>;
  /** Origins a cookie may go to: the configured registries'. */
  registryOrigins: readonly string[];
}

/**
 * The proxy per protocol: the configured one (`https-proxy` for https, `proxy` for http; when only
 * one is set it serves both, as npm does), else the environment's, chosen as @npmcli/agent does.
 * `noproxy` likewise falls back to NO_PROXY.
 */
export function agentProxies(
  configured: { httpsProxy: string | null; proxy: string | null; noproxy: readonly string[] },
  env: Readonly<Record<string, string | undefined>>,
): AgentProxies {
  const lower = Object.fromEntries(Object.entries(env).map(([key, value]) => [key.toLowerCase(), value || undefined]));
  const https = configured.httpsProxy ?? configured.proxy ?? lower.https_proxy;
  const http = configured.proxy ?? configured.httpsProxy ?? lower.https_proxy ?? lower.http_proxy ?? lower.proxy;
  const noProxy = configured.noproxy.length > 0 ? [...configured.noproxy] : (lower.no_proxy ?? '').split(',');
  return { 'https:': https, 'http:': http, noProxy: noProxy.map((host) => host.trim()).filter(Boolean) };
}

/** The origin a request is about to be sent to, from the options Node hands the agent. */
function requestOrigin(options: Pick<RequestOptions, 'protocol' | 'hostname' | 'host' | 'port'>): string | null {
  const hostname = options.hostname ?? options.host;
  if (!hostname) return null;
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  try {
    return new URL(`${options.protocol ?? 'http:'}//${host}${options.port ? `:${options.port}` : ''}`).origin;
  } catch {
    return null;
  }
}

function headerText(value: number | string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
}

export function createRegistryAgent({ timeoutMs, ca, strictSsl, proxies, credentials, registryOrigins }: RegistryAgentOptions): HttpAgent {
  const allowedOrigins = new Map<string, Set<string>>();
  for (const credential of credentials) {
    for (const header of credential.headers) {
      const origins = allowedOrigins.get(header) ?? new Set<string>();
      for (const origin of credential.origins) origins.add(origin);
      allowedOrigins.set(header, origins);
    }
  }
  const cookieOrigins = new Set(registryOrigins);

  const base: NpmAgentOptions = { timeout: timeoutMs, rejectUnauthorized: strictSsl, ...(ca ? { ca: [...ca] } : {}) };
  // One @npmcli/agent per distinct proxy (it takes one); NO_PROXY hosts are reached directly by it.
  const byProxy = new Map<string, NpmAgent>();
  const agentFor = (proxy: string | undefined): NpmAgent => {
    const key = proxy ?? '';
    let agent = byProxy.get(key);
    if (!agent) {
      agent = new Agent({ ...base, ...(proxy ? { proxy, noProxy: proxies.noProxy } : {}) });
      byProxy.set(key, agent);
    }
    return agent;
  };
  // The https agent is the one handed out; plain http requests are passed to theirs when it differs.
  const front = agentFor(proxies['https:']);
  const forHttp = agentFor(proxies['http:']);
  const addRequest = front.addRequest.bind(front);
  const destroy = front.destroy.bind(front);

  Object.assign(front, {
    // Called while the request's headers are still editable (Node renders them on first write).
    addRequest(request: ClientRequest, options: RequestOptions) {
      const origin = requestOrigin(options);
      const authorization = headerText(request.getHeader('authorization'));
      if (authorization !== undefined && (origin === null || !allowedOrigins.get(authorization)?.has(origin))) {
        request.removeHeader('authorization');
      }
      if (origin === null || !cookieOrigins.has(origin)) request.removeHeader('cookie');
      if (options.protocol === 'http:' && forHttp !== front) return forHttp.addRequest(request, options);
      return addRequest(request, options);
    },
    destroy() {
      for (const agent of byProxy.values()) if (agent !== front) agent.destroy();
      destroy();
    },
  });
  return front;
}
