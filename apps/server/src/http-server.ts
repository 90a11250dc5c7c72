// The HTTP surface of a core instance: oRPC at /rpc, the same procedures as REST under /api with
// a generated OpenAPI document, the backend's plain routes, and an unauthenticated /healthz.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { OpenAPIGenerator } from '@orpc/openapi';
import { OpenAPIHandler } from '@orpc/openapi/node';
import { BodyLimitPlugin, RPCHandler } from '@orpc/server/node';
import { ZodToJsonSchemaConverter } from '@orpc/zod/zod4';
import { contract, HEALTH_PATH, OPENAPI_PATH, REST_PREFIX, RPC_PREFIX, type Principal } from '@spk/common';
import { sendJsonError, type Logger, type ScriptPackagesBackend } from '@spk/backend';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}

export async function createHttpServer(backend: ScriptPackagesBackend, logger: Logger, info: { version: string }): Promise<Server> {
  const plugins = [new BodyLimitPlugin({ maxBodySize: MAX_BODY_BYTES })];
  const rpc = new RPCHandler(backend.router, { plugins });
  const rest = new OpenAPIHandler(backend.router, { plugins });
  const openapi = JSON.stringify(
    await new OpenAPIGenerator({ schemaConverters: [new ZodToJsonSchemaConverter()] }).generate(contract, {
      info: { title: 'Script packages API', version: info.version },
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
    if (url.pathname === HEALTH_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ status: 'ok' }));
    }
    if (url.pathname === OPENAPI_PATH && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(openapi);
    }
    const principal = await principalOf(req);
    if ((await rpc.handle(req, res, { prefix: RPC_PREFIX, context: { principal } })).matched) return;
    if ((await rest.handle(req, res, { prefix: REST_PREFIX, context: { principal } })).matched) return;
    const route = backend.httpRoutes.find((r) => r.method === req.method && (url.pathname === r.prefix || url.pathname.startsWith(`${r.prefix}/`)));
    if (route) {
      if (!principal) return sendJsonError(res, 401, 'UNAUTHORIZED', 'missing or invalid bearer token; send "Authorization: Bearer <token>"');
      return route.handle(req, res, { principal, subpath: url.pathname.slice(route.prefix.length) });
    }
    sendJsonError(res, 404, 'NOT_FOUND', `no route for ${req.method} ${url.pathname}`);
  }

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ code: (error as { code?: string })?.code ?? 'UNKNOWN' }, 'request failed');
      if (!res.headersSent) sendJsonError(res, 500, 'INTERNAL', 'internal error; the server log has the error code');
      else res.destroy();
    });
  });
}
