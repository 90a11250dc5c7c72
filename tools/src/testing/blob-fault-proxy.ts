// A loopback HTTP proxy in front of a core that damages chosen blob downloads: it flips a byte of
// the body (a blob that must fail verification) or cuts the response short after some bytes (a
// download that must be resumed). Everything else, RPC and push streams included, passes through.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { BLOB_PREFIX } from '@spk/common';
import { startLoopbackServer } from './loopback-http.ts';

export type BlobFault = { kind: 'corrupt' } | { kind: 'cut'; afterBytes: number };

export interface SeenBlobRequest {
  hex: string;
  /** The Range and If-Range headers the client sent, or null. */
  range: string | null;
  ifRange: string | null;
  /** What the core answered (before any fault). */
  status: number;
  fault: BlobFault['kind'] | null;
}

export interface BlobFaultProxy {
  /** Base URL without a trailing slash: give it to the agent as its server. */
  url: string;
  /** Queues faults for the next requests of the blob with this sha512 hex, one fault per request. */
  inject(hex: string, ...faults: BlobFault[]): void;
  /** Queues faults for the next blob requests, whichever blob they ask for. */
  injectAny(...faults: BlobFault[]): void;
  /** Every blob request so far, in order. */
  blobRequests: SeenBlobRequest[];
  close(): Promise<void>;
}

export async function startBlobFaultProxy(target: string): Promise<BlobFaultProxy> {
  const upstream = new URL(target);
  const perBlob = new Map<string, BlobFault[]>();
  const anyBlob: BlobFault[] = [];
  const blobRequests: SeenBlobRequest[] = [];

  function takeFault(hex: string): BlobFault | null {
    const queued = perBlob.get(hex);
    if (queued && queued.length > 0) return queued.shift()!;
    return anyBlob.shift() ?? null;
  }

  function forward(req: IncomingMessage, res: ServerResponse, onAnswer?: (answer: IncomingMessage) => void): void {
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (onAnswer) return onAnswer(answer);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    // A client that goes away (an aborted push stream) must not leave the upstream request open.
    res.on('close', () => out.destroy());
    req.pipe(out);
  }

  function damaged(fault: BlobFault, answer: IncomingMessage, res: ServerResponse): void {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    let sent = 0;
    let flipped = false;
    answer.on('data', (chunk: Buffer) => {
      if (fault.kind === 'corrupt') {
        const copy = Buffer.from(chunk);
        if (!flipped && copy.length > 0) {
          copy[copy.length >> 1] = copy[copy.length >> 1]! ^ 0xff;
          flipped = true;
        }
        res.write(copy);
        return;
      }
      if (sent >= fault.afterBytes) return;
      const part = chunk.subarray(0, fault.afterBytes - sent);
      sent += part.length;
      if (sent < fault.afterBytes) return void res.write(part);
      answer.destroy();
      // The connection closes after those bytes (a FIN, not a reset, which could make the client's
      // kernel drop bytes it has not read yet): the client sees a body shorter than promised.
      res.write(part, () => res.socket?.end());
    });
    answer.on('end', () => {
      if (fault.kind === 'corrupt' || sent < fault.afterBytes) res.end();
    });
  }

  const server = await startLoopbackServer((req, res) => {
    const match = new RegExp(`^${BLOB_PREFIX}/([a-f0-9]{128})$`).exec(req.url ?? '');
    if (!match || req.method !== 'GET') return forward(req, res);
    const hex = match[1]!;
    const fault = takeFault(hex);
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : null);
    forward(req, res, (answer) => {
      const status = answer.statusCode ?? 502;
      blobRequests.push({ hex, range: header('range'), ifRange: header('if-range'), status, fault: fault && status < 300 ? fault.kind : null });
      if (fault && status < 300) return damaged(fault, answer, res);
      if (fault) takeBack(hex, fault);
      res.writeHead(status, answer.headers);
      answer.pipe(res);
    });
  });

  /** A fault meant for a body goes back in the queue when the core answered without one. */
  function takeBack(hex: string, fault: BlobFault): void {
    perBlob.set(hex, [fault, ...(perBlob.get(hex) ?? [])]);
  }

  return {
    url: server.url,
    inject(hex, ...faults) {
      perBlob.set(hex, [...(perBlob.get(hex) ?? []), ...faults]);
    },
    injectAny(...faults) {
      anyBlob.push(...faults);
    },
    blobRequests,
    close: () => server.close(),
  };
}
