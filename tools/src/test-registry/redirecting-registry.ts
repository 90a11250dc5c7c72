// A registry front on loopback that answers every request with a 302 to a second server on
// another port (same host name), which forwards to the real test registry. Both record the
// Authorization header they receive, so a test can prove the token never follows the redirect.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  path: string;
  authorization: string | null;
}

export interface RedirectingRegistry {
  /** The registry URL to configure (the redirecting front), without a trailing slash. */
  url: string;
  /** Where the front redirects to: another origin (another port). */
  targetUrl: string;
  seenByFront: SeenRequest[];
  seenByTarget: SeenRequest[];
  close(): Promise<void>;
}

const record = (req: IncomingMessage, into: SeenRequest[]) => into.push({ path: req.url ?? '/', authorization: req.headers.authorization ?? null });

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startRedirectingRegistry(upstreamUrl: string): Promise<RedirectingRegistry> {
  const upstream = new URL(upstreamUrl);
  const seenByFront: SeenRequest[] = [];
  const seenByTarget: SeenRequest[] = [];
  let frontHost = '';

  const target = await listen((req, res) => {
    record(req, seenByTarget);
    // The registry writes tarball URLs from the Host header: keep them pointing at the front, so
    // tarball downloads are redirected too.
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: frontHost } },
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
  });
  const front = await listen((req, res) => {
    record(req, seenByFront);
    req.resume();
    res.writeHead(302, { location: `${target.url}${req.url ?? '/'}` });
    res.end();
  });
  frontHost = new URL(front.url).host;

  const stop = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: front.url,
    targetUrl: target.url,
    seenByFront,
    seenByTarget,
    close: async () => {
      await Promise.all([stop(front.server), stop(target.server)]);
    },
  };
}
