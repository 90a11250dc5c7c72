// The HTTP surface of a core instance: oRPC at /rpc, the same procedures as REST under /api with
// a generated OpenAPI document, the backend's plain routes, unauthenticated /healthz (liveness) and
// /readyz (readiness), and the web console's static files at / (web-console.ts). Every other
// request shows a token before a byte of its body is read.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { OpenAPIGenerator } from '@orpc/openapi';
import { OpenAPIHandler } from '@orpc/openapi/node';
import { BodyLimitPlugin, RPCHandler } from '@orpc/server/node';
import { ResponseHeadersPlugin } from '@orpc/server/plugins';
import { ZodToJsonSchemaConverter } from '@orpc/zod/zod4';
import { contract, hasAnyPermission, HEALTH_PATH, OPENAPI_PATH, READY_PATH, REST_PREFIX, RPC_PREFIX, type Principal } from '@spk/common';
import { describeError, httpErrorFor, sendJsonError, type Logger, type RouterContext, type ScriptPackagesBackend } from '@spk/backend';
import { bodyTypeRefusal } from './body-type.ts';
import { codedRefusal, refuseUnread, sendJson, under } from './early-refusal.ts';
import type { Readiness } from './readiness.ts';
import type { WebConsole } from './web-console.ts';

export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface HttpServerOptions {
  version: string;
  readiness(): Promise<Readiness>;
  webConsole: WebConsole;
}

function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}

export async function createHttpServer(backend: ScriptPackagesBackend, logger: Logger, options: HttpServerOptions): Promise<Server> {
  // ResponseHeadersPlugin: procedures may set headers (Retry-After on TOO_MANY_RUNS).
  const plugins = [new BodyLimitPlugin({ maxBodySize: MAX_BODY_BYTES }), new ResponseHeadersPlugin<RouterContext>()];
  const rpc = new RPCHandler(backend.router, { plugins });
  const rest = new OpenAPIHandler(backend.router, { plugins });
  const openapi = JSON.stringify(
    await new OpenAPIGenerator({ schemaConverters: [new ZodToJsonSchemaConverter()] }).generate(contract, {
      info: { title: 'Script packages API', version: options.version },
      servers: [{ url: REST_PREFIX }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    }),
  );

  async function principalOf(req: IncomingMessage): Promise<Principal | null> {
    const token = bearerToken(req);
    return token ? backend.authenticate(token) : null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === HEALTH_PATH) return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === READY_PATH) {
      const readiness = await options.readiness();
      return sendJson(res, readiness.ready ? 200 : 503, readiness.ready ? { status: 'ready' } : { status: 'unavailable', reason: readiness.reason });
    }
    if (url.pathname === OPENAPI_PATH && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(openapi);
    }
    if (await options.webConsole.handle(req, res)) return;
    // Both refusals look at headers only: an anonymous caller costs a header parse and a hash, never
    // a body read or parse (junk bodies without a token used to slow every real request).
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) {
      const message = `the request body is over the ${MAX_BODY_BYTES} byte limit; send less`;
      return refuseUnread(req, res, url.pathname, { status: 413, orpcCode: 'PAYLOAD_TOO_LARGE', message }, MAX_BODY_BYTES);
    }
    const principal = await principalOf(req);
    if (!principal) {
      const message = 'missing or invalid bearer token; send "Authorization: Bearer <token>"';
      return refuseUnread(req, res, url.pathname, codedRefusal('UNAUTHORIZED', message), MAX_BODY_BYTES);
    }
    const wrongType = under(url.pathname, RPC_PREFIX) || under(url.pathname, REST_PREFIX) ? bodyTypeRefusal(req.headers) : null;
    if (wrongType) return refuseUnread(req, res, url.pathname, wrongType, MAX_BODY_BYTES);
    if ((await rpc.handle(req, res, { prefix: RPC_PREFIX, context: { principal } })).matched) return;
    if ((await rest.handle(req, res, { prefix: REST_PREFIX, context: { principal } })).matched) return;
    const route = backend.httpRoutes.find((r) => r.method === req.method && under(url.pathname, r.prefix));
    if (route) {
      if (!hasAnyPermission(principal, route.permissions)) {
        const needed = route.permissions.map((p) => `"${p}"`).join(' or ');
        return sendJsonError(res, httpErrorFor('FORBIDDEN').status, 'FORBIDDEN', `this token lacks the ${needed} permission ${req.method} ${route.prefix} needs`);
      }
      return route.handle(req, res, { principal, subpath: url.pathname.slice(route.prefix.length) });
    }
    sendJsonError(res, 404, 'NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
  }

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error(describeError(error), 'request failed');
      if (!res.headersSent) sendJsonError(res, 500, 'INTERNAL', 'internal error; the server log has the error code');
      else res.destroy();
    });
  });
}
