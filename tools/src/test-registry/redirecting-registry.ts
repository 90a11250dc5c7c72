// A registry front on loopback that answers every request with a 302 to a second server on
// another port (same host name), which forwards to the real test registry. Both record the
// Authorization header they receive, so a test can prove the token never follows the redirect.
import type { IncomingMessage } from 'node:http';
import { forwardRequest, startLoopbackServer } from '../testing/loopback-http.ts';

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

export async function startRedirectingRegistry(upstreamUrl: string): Promise<RedirectingRegistry> {
  const upstream = new URL(upstreamUrl);
  const seenByFront: SeenRequest[] = [];
  const seenByTarget: SeenRequest[] = [];
  let frontHost = '';

  const target = await startLoopbackServer((req, res) => {
    record(req, seenByTarget);
    // The registry writes tarball URLs from the Host header: keep them pointing at the front, so
    // tarball downloads are redirected too.
    forwardRequest(upstream, req, res, { ...req.headers, host: frontHost });
  });
  const front = await startLoopbackServer((req, res) => {
    record(req, seenByFront);
    req.resume();
    res.writeHead(302, { location: `${target.url}${req.url ?? '/'}` });
    res.end();
  });
  frontHost = new URL(front.url).host;

  return {
    url: front.url,
    targetUrl: target.url,
    seenByFront,
    seenByTarget,
    close: async () => {
      await Promise.all([front.close(), target.close()]);
    },
  };
}
