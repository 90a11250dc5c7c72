// Serves the built web console (apps/web/dist, or SPK_WEB_DIR) at `/` without a token: static
// files holding no secret, while every API route stays behind one (http-server.ts). The page is
// re-read only when its file changed (a rebuild while the server runs); assets, whose names carry
// a content hash, are read once and kept in memory.
import { realpath, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ifNoneMatchHits, sendJsonError } from '@spk/backend';
import { ASSET_HEADERS, consoleRequestOf, contentTypeOf, etagOf, PAGE_HEADERS } from './web-console-paths.ts';

/** apps/web/dist of this repository, from the sources (apps/server/src) and from the bundle (apps/server/dist) alike. */
export const DEFAULT_WEB_DIR = path.resolve(import.meta.dirname, '../../web/dist');

export const NOT_BUILT_MESSAGE =
  'the web console is not built on this server: run `npm run build` (or `npm ci`, whose prepare step builds it) and reload, or set SPK_WEB_DIR to a built console; the server log says where it looked';

interface Served {
  bytes: Buffer;
  etag: string;
  type: string;
}

export interface WebConsole {
  dir: string;
  /** Whether the directory holds an index.html now. */
  isBuilt(): Promise<boolean>;
  /** Answers a console request (GET/HEAD of `/`, `/index.html`, `/assets/<name>`); false: not one, the caller goes on. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

function send(req: IncomingMessage, res: ServerResponse, file: Served, headers: Readonly<Record<string, string>>): void {
  const common = { ...headers, etag: file.etag };
  // The same If-None-Match parsing as the blob and types routes (the tag without its quotes).
  if (ifNoneMatchHits(req.headers['if-none-match'], file.etag.slice(1, -1))) {
    res.writeHead(304, common);
    return void res.end();
  }
  res.writeHead(200, { ...common, 'content-type': file.type, 'content-length': String(file.bytes.length) });
  res.end(req.method === 'HEAD' ? undefined : file.bytes);
}

const served = (bytes: Buffer, name: string): Served => ({ bytes, etag: etagOf(bytes), type: contentTypeOf(name) });

const isMissing = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

export function createWebConsole(dir: string): WebConsole {
  const indexFile = path.join(dir, 'index.html');
  const assetsDir = path.join(dir, 'assets');
  let page: { key: string; file: Served } | undefined;
  const assets = new Map<string, Served>();

  async function readPage(): Promise<Served | null> {
    const stats = await stat(indexFile).catch((error: unknown) => {
      if (isMissing(error)) return null;
      throw error;
    });
    if (!stats?.isFile()) return null;
    const key = `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    if (page?.key !== key) page = { key, file: served(await readFile(indexFile), indexFile) };
    return page.file;
  }

  /** The asset's bytes, only if it is a regular file inside the assets directory once links are resolved. */
  async function readAsset(name: string): Promise<Served | null> {
    const known = assets.get(name);
    if (known) return known;
    try {
      const [root, real] = await Promise.all([realpath(assetsDir), realpath(path.join(assetsDir, name))]);
      const rel = path.relative(root, real);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || !(await stat(real)).isFile()) return null;
      const file = served(await readFile(real), name);
      assets.set(name, file);
      return file;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  return {
    dir,
    isBuilt: async () => (await readPage()) !== null,
    async handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const request = consoleRequestOf(req.url ?? '/');
      if (!request) return false;
      if (request.kind === 'bad-asset') {
        sendJsonError(res, 400, 'BAD_REQUEST', `not a console asset path: ${request.reason}`);
      } else if (request.kind === 'page') {
        const file = await readPage();
        if (file) send(req, res, file, PAGE_HEADERS);
        else sendJsonError(res, 404, 'NOT_FOUND', NOT_BUILT_MESSAGE);
      } else {
        const file = await readAsset(request.name);
        if (file) send(req, res, file, ASSET_HEADERS);
        else sendJsonError(res, 404, 'NOT_FOUND', `no console asset ${request.name}; reload the page (the console may have been rebuilt)`);
      }
      return true;
    },
  };
}
