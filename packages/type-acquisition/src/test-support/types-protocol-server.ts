// A stand-in core for the client's unit tests: a real HTTP server on loopback that speaks the
// `GET /types...` protocol from fixed JSON, records every request, and can be told to fail, hold
// or garble an answer. The end-to-end test against the real server lives with the server.
import { typesClosurePath, typesIndexPath, type TypeClosure, type TypesIndex } from '@spk/common';
import { startLoopbackServer } from '@spk/tools';

type Handler = Parameters<typeof startLoopbackServer>[0];
type Response = Parameters<Handler>[1];

export interface Tree {
  index: TypesIndex;
  closures: TypeClosure[];
}

export interface SeenRequest {
  path: string;
  authorization: string | undefined;
}

/** How one path answers instead of the protocol's answer; `hold` waits for the promise first. */
export type Override = { status: number; body: string } | { hold: Promise<void> };

export interface TypesProtocolServer {
  url: string;
  /** The hash `GET /types` answers with; other hashes get 409. */
  currentHash: string;
  requests: SeenRequest[];
  /** Paths (as sent) of the requests seen so far. */
  paths(): string[];
  overrides: Map<string, Override>;
  close(): Promise<void>;
}

export function hashOf(n: number): string {
  return n.toString(16).padStart(64, '0');
}

export function closure(name: string, files: Record<string, string>, extra: Partial<TypeClosure> = {}): TypeClosure {
  const list = Object.entries(files).map(([path, content]) => ({ path: `file:///node_modules/${path}`, content }));
  return {
    name,
    version: '1.0.0',
    files: list,
    hasOwnTypes: list.length > 0,
    hasAtTypes: false,
    notFound: false,
    truncated: false,
    bytes: list.reduce((sum, file) => sum + new TextEncoder().encode(file.content).length, 0),
    ...extra,
  };
}

export function tree(hash: string, closures: TypeClosure[], nodeTypes = false): Tree {
  const packages = closures
    .filter((entry) => !entry.name.startsWith('@types/'))
    .map((entry) => ({ name: entry.name, version: entry.version, closureBytes: entry.bytes, closureFiles: entry.files.length }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { index: { lockfileHash: hash, packages, nodeTypes: nodeTypes ? { name: '@types/node', version: '20.19.0' } : null }, closures };
}

function sendJson(res: Response, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startTypesProtocolServer(trees: Tree[], token?: string): Promise<TypesProtocolServer> {
  const byHash = new Map(trees.map((entry) => [entry.index.lockfileHash, entry]));
  const state = {
    currentHash: trees[0]?.index.lockfileHash ?? hashOf(0),
    requests: [] as SeenRequest[],
    overrides: new Map<string, Override>(),
  };

  async function answer(path: string, res: Response): Promise<void> {
    const override = state.overrides.get(path);
    if (override !== undefined && 'hold' in override) await override.hold;
    else if (override !== undefined) return void res.writeHead(override.status, { 'content-type': 'application/json' }).end(override.body);
    const current = byHash.get(state.currentHash);
    if (current === undefined) return sendJson(res, 500, { code: 'INTERNAL', message: 'no current tree' });
    if (path === typesIndexPath()) return sendJson(res, 200, current.index);
    for (const [hash, served] of byHash) {
      const stale = hash !== state.currentHash;
      const conflict = { code: 'STALE_LOCKFILE_HASH', message: 'stale lockfile hash; refetch the install state' };
      if (path === typesIndexPath(hash)) return stale ? sendJson(res, 409, conflict) : sendJson(res, 200, served.index);
      for (const entry of served.closures) {
        if (path === typesClosurePath(hash, entry.name)) return stale ? sendJson(res, 409, conflict) : sendJson(res, 200, entry);
      }
    }
    sendJson(res, 404, { code: 'NOT_FOUND', message: `nothing at ${path}` });
  }

  const server = await startLoopbackServer((req, res) => {
    const path = req.url ?? '';
    state.requests.push({ path, authorization: req.headers.authorization });
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      return sendJson(res, 401, { code: 'UNAUTHORIZED', message: 'a bearer token is required' });
    }
    answer(path, res).catch(() => res.destroy());
  });

  return {
    url: server.url,
    get currentHash() {
      return state.currentHash;
    },
    set currentHash(hash: string) {
      state.currentHash = hash;
    },
    requests: state.requests,
    paths: () => state.requests.map((request) => request.path),
    overrides: state.overrides,
    close: () => server.close(),
  };
}
