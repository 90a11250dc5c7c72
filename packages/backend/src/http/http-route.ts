// Plain HTTP routes the backend contributes besides oRPC (streams that do not fit a procedure).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '@spk/common';

export interface HttpRoute {
  method: 'GET';
  /** The route handles every path under this prefix. */
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: { principal: Principal; subpath: string }): Promise<void>;
}

export function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message }));
}
