// A loopback npm registry that checks credentials and fails on demand, for tests of auth forms and
// of the errors a registry's refusals become. Each "gate" is a registry at its own path serving one
// scope to one exact Authorization header; any name in the scope is a package (1.0.0) built on the
// fly. Switch the mode to make every gate answer 401, 403 or 500, or a 500 that echoes the
// credentials it got (as careless registries and proxies do), to prove they never travel further.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { craftPackage } from '../test-registry/craft-package.ts';
import type { PackedFixture } from '../test-registry/pack-fixture.ts';
import { startLoopbackServer } from './loopback-http.ts';

export type GateMode = 'ok' | 401 | 403 | 500 | 'echo';

export interface Gate {
  /** `@scope` served by this gate. */
  scope: string;
  /** The exact Authorization header it accepts, e.g. `Bearer <token>` or `Basic <base64>`. */
  authorization: string;
}

export interface GatedRequest {
  gate: string;
  path: string;
  /** Whether the request carried the gate's credentials (never the header itself: it is a secret). */
  authorized: boolean;
}

export interface GatedRegistry {
  /** Base URL without a trailing slash; a gate's registry is `registryUrl(gate)`. */
  url: string;
  /** The registry URL of one gate, with npm's trailing slash: `http://127.0.0.1:1234/<gate>/`. */
  registryUrl(gate: string): string;
  setMode(mode: GateMode): void;
  readonly seen: readonly GatedRequest[];
  close(): Promise<void>;
}

const VERSION = '1.0.0';

export async function startGatedRegistry(gates: Readonly<Record<string, Gate>>): Promise<GatedRegistry> {
  for (const gate of Object.keys(gates)) {
    if (!/^[a-z0-9-]+$/.test(gate)) throw new Error(`gate "${gate}" must be one path segment of lower case letters, digits and "-"`);
  }
  let mode: GateMode = 'ok';
  const seen: GatedRequest[] = [];
  const packages = new Map<string, PackedFixture>();
  let baseUrl = '';

  const packageOf = (name: string) => {
    let packed = packages.get(name);
    if (!packed) {
      const id = `${name}@${VERSION}`;
      packed = craftPackage({ name, version: VERSION, main: 'index.js' }, [{ path: 'package/index.js', content: `module.exports = { id: ${JSON.stringify(id)} };\n` }]);
      packages.set(name, packed);
    }
    return packed;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const [, gateName = '', ...rest] = path.split('/');
    const gate = gates[gateName];
    if (!gate) return json(res, 404, { error: 'no such registry' });
    const authorized = req.headers.authorization === gate.authorization;
    seen.push({ gate: gateName, path, authorized });

    if (mode === 'echo') return json(res, 500, { error: `could not check the credentials "${req.headers.authorization ?? ''}"` });
    if (mode !== 'ok') return json(res, mode, { error: mode === 500 ? 'internal server error' : mode === 401 ? 'authorization required' : 'forbidden' });
    if (!authorized) return json(res, 401, { error: 'authorization required' });

    // `<scope>/<name>` is a packument; `<scope>/<name>/-/<file>.tgz` a tarball.
    const [scope, unscoped, dash, file] = rest;
    const name = `${scope}/${unscoped}`;
    if (scope !== gate.scope || !unscoped) return json(res, 404, { error: 'not found' });
    const packed = packageOf(name);
    if (dash === undefined) {
      const tarball = `${baseUrl}/${gateName}/${name}/-/${unscoped}-${VERSION}.tgz`;
      const version = { ...packed.manifest, _id: `${name}@${VERSION}`, dist: { integrity: packed.integrity, shasum: packed.shasum, tarball } };
      return json(res, 200, { _id: name, name, 'dist-tags': { latest: VERSION }, versions: { [VERSION]: version }, time: { [VERSION]: '2025-01-01T00:00:00.000Z' } });
    }
    if (dash !== '-' || file !== `${unscoped}-${VERSION}.tgz`) return json(res, 404, { error: 'not found' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': packed.tarball.length });
    res.end(packed.tarball);
  };

  const server = await startLoopbackServer(handle);
  baseUrl = server.url;
  return {
    url: server.url,
    registryUrl: (gate) => `${server.url}/${gate}/`,
    setMode: (next) => {
      mode = next;
    },
    seen,
    close: () => server.close(),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
