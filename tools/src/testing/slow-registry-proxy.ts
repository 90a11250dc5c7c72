// A loopback HTTP proxy in front of the test registry that holds each request for `delayMs` before
// forwarding it: a slow registry, for tests of what an install does while it waits. The Host header
// is passed on, so the registry writes tarball URLs that point back through the proxy.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    proxy.requests++;
    req.pause();
    const timer = setTimeout(() => {
      timers.delete(timer);
      req.resume();
      forward(req, res);
    }, proxy.delayMs);
    timers.add(timer);
    // A caller that gives up (an aborted fetch) is not forwarded at all.
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const proxy: SlowRegistryProxy = {
    url: `http://127.0.0.1:${port}`,
    delayMs,
    requests: 0,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
