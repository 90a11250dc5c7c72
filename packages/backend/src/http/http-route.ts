// Plain HTTP routes the backend contributes besides oRPC (streams that do not fit a procedure).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode, Permission, Principal } from '@spk/common';
import { httpErrorFor } from '../router/error-mapping.ts';

export interface HttpRoute {
  method: 'GET';
  /** The route handles every path under this prefix. */
  prefix: string;
  /** Who may call it: a principal holding any one of these (the server checks before `handle`). */
  permissions: readonly Permission[];
  handle(req: IncomingMessage, res: ServerResponse, ctx: { principal: Principal; subpath: string }): Promise<void>;
}

export function sendJsonError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ code, message }));
}

/** An error of ours, with the status the oRPC error mapping gives its code, so both surfaces agree. */
export function sendCodedError(res: ServerResponse, error: { code: ErrorCode; message: string }): void {
  sendJsonError(res, httpErrorFor(error.code).status, error.code, error.message);
}
