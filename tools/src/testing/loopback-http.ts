// Plain HTTP servers on loopback for registry stand-ins (a redirecting front, a slow proxy):
// starting one on a free port, stopping it with its open connections, and forwarding a request
// to the real test registry unchanged but for the headers the caller gives.
import { createServer, request, type IncomingMessage, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** Base URL without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

export async function startLoopbackServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LoopbackServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends `req` on to `upstream` and pipes the answer back; an unreachable upstream is a 502. */
export function forwardRequest(upstream: URL, req: IncomingMessage, res: ServerResponse, headers: IncomingHttpHeaders = req.headers): void {
  const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(out);
}
