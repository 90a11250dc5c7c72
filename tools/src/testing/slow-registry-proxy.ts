// A loopback HTTP proxy in front of the test registry that holds each request for `delayMs` before
// forwarding it: a slow registry, for tests of what an install does while it waits. The Host header
// is passed on, so the registry writes tarball URLs that point back through the proxy.
import { forwardRequest, startLoopbackServer } from './loopback-http.ts';

export interface SlowRegistryProxy {
  /** Base URL without a trailing slash. */
  url: string;
  /** Read per request: change it to slow down or speed up what comes next. */
  delayMs: number;
  /** Requests received so far. */
  requests: number;
  close(): Promise<void>;
}

export async function startSlowRegistryProxy(target: string, delayMs: number): Promise<SlowRegistryProxy> {
  const upstream = new URL(target);
  const timers = new Set<NodeJS.Timeout>();

  const server = await startLoopbackServer((req, res) => {
    proxy.requests++;
    req.pause();
    const timer = setTimeout(() => {
      timers.delete(timer);
      req.resume();
      forwardRequest(upstream, req, res);
    }, proxy.delayMs);
    timers.add(timer);
    // A caller that gives up (an aborted fetch) is not forwarded at all.
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  });

  const proxy: SlowRegistryProxy = {
    url: server.url,
    delayMs,
    requests: 0,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await server.close();
    },
  };
  return proxy;
}
