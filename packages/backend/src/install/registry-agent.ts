// The HTTP agent every registry request of an install goes through: npm's own agent (keep-alive,
// proxies from the environment, socket timeouts) plus a rule npm lacks: the Authorization header
// (and cookies) only ever go to the registry's own origin. make-fetch-happen strips them on a
// redirect only when the host *name* changes, so a redirect to another port carried the token.
import type { ClientRequest, Agent as HttpAgent, RequestOptions } from 'node:http';
import { createRequire } from 'node:module';

interface NpmAgentOptions {
  /** Socket idle timeout in ms (what npm maps its `timeout` to). */
  timeout?: number;
  proxy?: string;
}
// @npmcli/agent ships no types: the one constructor used here, typed by hand.
const { Agent } = createRequire(import.meta.url)('@npmcli/agent') as { Agent: new (options: NpmAgentOptions) => HttpAgent };

export interface RegistryAgentOptions {
  registry: string;
  /** Per-request socket idle timeout, the same limit npm's request timer applies. */
  timeoutMs: number;
}

/** The proxy npm would pick for the registry from the environment; per request, NO_PROXY still applies. */
function environmentProxy(registry: string): string | undefined {
  const env = Object.fromEntries(Object.entries(process.env).map(([key, value]) => [key.toLowerCase(), value]));
  const proxy = new URL(registry).protocol === 'https:' ? env.https_proxy : (env.https_proxy ?? env.http_proxy ?? env.proxy);
  return proxy || undefined;
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

export function createRegistryAgent({ registry, timeoutMs }: RegistryAgentOptions): HttpAgent {
  const allowed = new URL(registry).origin;
  const proxy = environmentProxy(registry);
  const agent = new Agent({ timeout: timeoutMs, ...(proxy ? { proxy } : {}) });
  // Not in Node's public Agent typings, but the method every http.request calls on its agent.
  const addRequest = (agent as unknown as { addRequest(req: ClientRequest, options: RequestOptions): void }).addRequest.bind(agent);
  // Called while the request's headers are still editable (Node renders them on first write).
  Object.assign(agent, {
    addRequest(request: ClientRequest, options: RequestOptions) {
      if (requestOrigin(options) !== allowed) {
        request.removeHeader('authorization');
        request.removeHeader('cookie');
      }
      return addRequest(request, options);
    },
  });
  return agent;
}
