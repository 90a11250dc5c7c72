// Refusals decided from the request head alone (no token, a declared body over the limit), sent
// before any body byte is read, in the shape the caller's protocol expects (oRPC, REST or plain).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ORPCError } from '@orpc/server';
import { REST_PREFIX, RPC_PREFIX, type ErrorCode } from '@spk/common';
import { httpErrorFor } from '@spk/backend';

/** How long a refused request may keep sending the body nobody will read. */
const LINGER_MS = 5_000;
/** Bodies declared up to this many times the limit are drained (within LINGER_MS) rather than cut. */
const OVERSIZE_DRAIN_FACTOR = 4;

export const under = (pathname: string, prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/**
 * A client still writing its body when the connection closes sees a reset instead of our answer,
 * so a body of acceptable size is let in and thrown away unparsed, within LINGER_MS and
 * `maxBytes`; past either, or for a body declared too big, the connection is cut.
 */
function discardBody(req: IncomingMessage, maxBytes: number): void {
  let seen = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, LINGER_MS).unref();
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) cut();
  });
  req.once('close', () => clearTimeout(timer));
}

export interface Refusal {
  status: number;
  orpcCode: string;
  message: string;
  code?: ErrorCode;
}

/** A refusal carrying one of our error codes, with the status the oRPC error mapping gives that code. */
export function codedRefusal(code: ErrorCode, message: string): Refusal {
  const { orpc, status } = httpErrorFor(code);
  return { status, orpcCode: orpc, code, message };
}

export function refuseUnread(req: IncomingMessage, res: ServerResponse, pathname: string, refusal: Refusal, maxBodyBytes: number): void {
  const { status, orpcCode, message, code } = refusal;
  const error = new ORPCError(orpcCode, { status, message, ...(code ? { data: { code } } : {}) });
  const body = under(pathname, RPC_PREFIX) ? { json: error.toJSON() } : under(pathname, REST_PREFIX) ? error.toJSON() : { code: orpcCode, message };
  const declared = Number(req.headers['content-length'] ?? 0);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  // A body declared a little over the limit is let in unread as well (closing on it resets the
  // connection and the client never sees the 413); one declared far over it is cut at once.
  if (declared > maxBodyBytes * OVERSIZE_DRAIN_FACTOR) return sendJson(res, status, body, { connection: 'close' });
  sendJson(res, status, body, chunked ? { connection: 'close' } : {});
  if (declared > 0 || chunked) discardBody(req, Math.max(declared, maxBodyBytes));
}
