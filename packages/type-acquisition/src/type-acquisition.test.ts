import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { typesClosurePath, typesIndexPath, type TypeFile } from '@spk/common';
import { createTypeAcquisition, type TypeAcquisitionOptions } from './type-acquisition.ts';
import { untypedModulePath } from './untyped-module.ts';
import { closure, hashOf, startTypesProtocolServer, tree, type Tree, type TypesProtocolServer } from './test-support/types-protocol-server.ts';

const H1 = hashOf(1);
const H2 = hashOf(2);
const H3 = hashOf(3);
const TOKEN = 'spk_editor_token_0123456789';

/** `untyped` (served as notFound) is in every tree but the one `withoutUntyped` gives. */
function treeAt(hash: string, version: string, { withoutUntyped = false } = {}): Tree {
  return tree(
    hash,
    [
      closure('typed', { 'typed/package.json': `{"name":"typed","version":"${version}","types":"index.d.ts"}`, 'typed/index.d.ts': `export declare const version: '${version}';` }),
      // Its types import `typed`: the closure carries typed's file too, which must reach the editor once.
      closure('uses-typed', { 'uses-typed/index.d.ts': "export { version } from 'typed';", 'typed/index.d.ts': `export declare const version: '${version}';` }),
      closure('@scope/pkg', { '@scope/pkg/index.d.ts': 'export declare function scoped(): number;' }),
      ...(withoutUntyped ? [] : [closure('untyped', {}, { notFound: true, hasOwnTypes: false })]),
      closure('@types/node', { '@types/node/index.d.ts': 'declare var process: { env: Record<string, string | undefined> };' }),
    ],
    true,
  );
}

let server: TypesProtocolServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(token?: string): Promise<TypesProtocolServer> {
  server = await startTypesProtocolServer([treeAt(H1, '1.0.0'), treeAt(H2, '2.0.0'), treeAt(H3, '3.0.0', { withoutUntyped: true })], token);
  return server;
}

/**
 * An editor as the client drives it: `batches` is every delivery, `held` what the editor holds now
 * (replace by path; emptied by onReset), `events` the order of deliveries and resets.
 */
function editor(overrides: Partial<TypeAcquisitionOptions> & { serverUrl: string }) {
  const batches: TypeFile[][] = [];
  const held = new Map<string, string>();
  const resets: Array<string | null> = [];
  const events: string[] = [];
  const warns: string[] = [];
  const debugs: string[] = [];
  const acquisition = createTypeAcquisition({
    token: TOKEN,
    onFiles: (files) => {
      batches.push(files);
      for (const file of files) {
        held.set(file.path, file.content);
        events.push(`file ${file.path}`);
      }
    },
    onReset: (hash) => {
      resets.push(hash);
      held.clear();
      events.push(`reset ${hash}`);
    },
    logger: { warn: (message) => warns.push(message), debug: (message) => debugs.push(message) },
    ...overrides,
  });
  const files = () => batches.flat();
  const heldPaths = () => [...held.keys()].sort();
  return { acquisition, batches, files, paths: () => files().map((file) => file.path).sort(), held, heldPaths, resets, events, warns, debugs };
}

const closureOf = (hash: string, name: string) => typesClosurePath(hash, name);
const closureRequests = (s: TypesProtocolServer) => s.paths().filter((path) => path.split('/').length > 3);

describe('createTypeAcquisition', () => {
  it("fetches the closures of a script's installed imports plus @types/node and hands their files to the editor", async () => {
    const s = await start(TOKEN);
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import { version } from 'typed';\nimport { scoped } from '@scope/pkg';\nconsole.log(version, scoped());");

    expect(e.paths()).toEqual([
      'file:///node_modules/@scope/pkg/index.d.ts',
      'file:///node_modules/@types/node/index.d.ts',
      'file:///node_modules/typed/index.d.ts',
      'file:///node_modules/typed/package.json',
    ]);
    expect(e.files().find((file) => file.path === 'file:///node_modules/typed/index.d.ts')?.content).toContain("'1.0.0'");
    expect(s.paths().sort()).toEqual([closureOf(H1, '@scope/pkg'), closureOf(H1, '@types/node'), closureOf(H1, 'typed'), typesIndexPath()].sort());
    expect(s.requests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(e.acquisition.lockfileHash).toBe(H1);
    expect(e.warns).toEqual([]);
  });

  it('two acquires in flight for the same packages share one request per package and deliver each file once', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    const source = "import 'typed'; import 'uses-typed';";
    await Promise.all([e.acquisition.acquire(source), e.acquisition.acquire(source)]);

    const requested = s.paths();
    expect(requested.filter((path) => path === typesIndexPath())).toHaveLength(1);
    expect(requested.filter((path) => path === closureOf(H1, 'typed'))).toHaveLength(1);
    expect(requested.filter((path) => path === closureOf(H1, 'uses-typed'))).toHaveLength(1);
    expect(requested.filter((path) => path === closureOf(H1, '@types/node'))).toHaveLength(1);
    // typed/index.d.ts is in both closures; the editor gets it once.
    expect(e.paths()).toEqual([...new Set(e.paths())]);
    expect(e.paths()).toContain('file:///node_modules/uses-typed/index.d.ts');
  });

  it('fetches each closure once per hash: a later acquire of the same imports asks the server nothing', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import 'typed';");
    const before = s.paths().length;
    const delivered = e.batches.length;
    await e.acquisition.acquire("import { version } from 'typed'; const x = require('typed');");
    expect(s.paths()).toHaveLength(before);
    expect(e.batches).toHaveLength(delivered);

    await e.acquisition.acquire("import 'uses-typed';");
    expect(s.paths().slice(before)).toEqual([closureOf(H1, 'uses-typed')]);
    expect(e.batches.at(-1)?.map((file) => file.path)).toEqual(['file:///node_modules/uses-typed/index.d.ts']);
  });

  it('reset to another hash forgets what was fetched and refetches everything for that hash; the same hash changes nothing', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import 'typed';");
    e.acquisition.reset(H1);
    await e.acquisition.acquire("import 'typed';");
    expect(closureRequests(s)).toHaveLength(2); // typed and @types/node, once

    s.currentHash = H2;
    e.acquisition.reset(H2);
    expect(e.acquisition.lockfileHash).toBe(H2);
    const before = s.paths().length;
    await e.acquisition.acquire("import 'typed';");
    expect(s.paths().slice(before).sort()).toEqual([closureOf(H2, '@types/node'), closureOf(H2, 'typed'), typesIndexPath(H2)].sort());
    const redelivered = e.batches.slice(-2).flat();
    expect(redelivered.find((file) => file.path === 'file:///node_modules/typed/index.d.ts')?.content).toContain("'2.0.0'");

    e.acquisition.reset(null);
    expect(e.acquisition.lockfileHash).toBeNull();
    const beforeNull = s.paths().length;
    await e.acquisition.acquire("import 'typed';");
    expect(s.paths().slice(beforeNull)).toContain(typesIndexPath());
    expect(s.paths().slice(beforeNull)).toContain(closureOf(H2, 'typed'));
  });

  it('reset to a different hash calls onReset with it before any file of that tree; the same hash does not', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import 'typed'; import u from 'untyped';");
    expect(e.heldPaths()).toContain(untypedModulePath('untyped'));
    e.acquisition.reset(H1);
    expect(e.resets).toEqual([]);

    s.currentHash = H3;
    e.acquisition.reset(H3);
    expect(e.resets).toEqual([H3]);
    expect(e.held.size).toBe(0);
    await e.acquisition.acquire("import 'typed'; import u from 'untyped';");
    // untyped is not installed in H3: its `any` placeholder must not come back, and did not stay.
    expect(e.heldPaths()).toEqual(['file:///node_modules/@types/node/index.d.ts', 'file:///node_modules/typed/index.d.ts', 'file:///node_modules/typed/package.json']);
    expect(e.held.get('file:///node_modules/typed/index.d.ts')).toContain("'3.0.0'");
    const resetAt = e.events.indexOf(`reset ${H3}`);
    expect(e.events.slice(resetAt + 1)).toHaveLength(3);

    e.acquisition.reset(null);
    expect(e.resets).toEqual([H3, null]);
    expect(e.held.size).toBe(0);
  });

  it('a 409 calls onReset(null) before the new tree arrives: a package gone from that tree, and its placeholder, leave the editor', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import u from 'untyped'; import 'typed';");
    expect(e.heldPaths()).toContain(untypedModulePath('untyped'));
    const before = e.events.length;
    s.currentHash = H3; // an install removed untyped; the editor has not heard
    // @scope/pkg was never fetched for H1: its request carries the stale hash and answers 409.
    await e.acquisition.acquire("import u from 'untyped'; import 'typed'; import { scoped } from '@scope/pkg';");

    expect(e.resets).toEqual([null]);
    expect(e.acquisition.lockfileHash).toBe(H3);
    expect(e.events.slice(before)).toEqual(['reset null', ...Array<unknown>(4).fill(expect.stringMatching(/^file /))]);
    expect(e.heldPaths()).toEqual([
      'file:///node_modules/@scope/pkg/index.d.ts',
      'file:///node_modules/@types/node/index.d.ts',
      'file:///node_modules/typed/index.d.ts',
      'file:///node_modules/typed/package.json',
    ]);
    expect(e.held.get('file:///node_modules/typed/index.d.ts')).toContain("'3.0.0'");
    expect(e.debugs.some((message) => message.includes(`untyped is not installed in ${H3}`))).toBe(true);
  });

  it('an onReset that throws is logged, and the new tree is still delivered', async () => {
    const s = await start();
    const e = editor({
      serverUrl: s.url,
      onReset: () => {
        throw new Error('editor disposed');
      },
    });
    await e.acquisition.acquire("import 'typed';");
    s.currentHash = H2;
    expect(() => e.acquisition.reset(H2)).not.toThrow();
    await e.acquisition.acquire("import 'typed';");
    expect(e.warns.some((message) => message.includes('onReset threw'))).toBe(true);
    expect(e.batches.flat().filter((file) => file.path === 'file:///node_modules/typed/index.d.ts').map((file) => file.content)).toEqual([
      expect.stringContaining("'1.0.0'"),
      expect.stringContaining("'2.0.0'"),
    ]);
  });

  it('loads TypeScript once, on the first acquire; a failed load is logged, yields no files, and is tried again later', async () => {
    const s = await start();
    let loads = 0;
    const e = editor({
      serverUrl: s.url,
      loadTypeScript: async () => {
        loads += 1;
        if (loads === 1) throw new Error('Failed to fetch dynamically imported module');
        return ts;
      },
    });
    expect(loads).toBe(0);
    await expect(e.acquisition.acquire("import 'typed';")).resolves.toBeUndefined();
    expect(loads).toBe(1);
    expect(e.files()).toEqual([]);
    expect(s.paths()).toEqual([]);
    expect(e.warns).toEqual([expect.stringContaining('cannot load TypeScript')]);

    await Promise.all([e.acquisition.acquire("import 'typed';"), e.acquisition.acquire("import '@scope/pkg';")]);
    await e.acquisition.acquire("import 'uses-typed';");
    expect(loads).toBe(2);
    expect(e.paths()).toContain('file:///node_modules/typed/index.d.ts');
    expect(e.paths()).toContain('file:///node_modules/@scope/pkg/index.d.ts');
    expect(e.paths()).toContain('file:///node_modules/uses-typed/index.d.ts');
  });

  it('a 409 on a closure drops the hash, re-reads GET /types and retries the acquisition once with the new hash', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import 'typed';");
    s.currentHash = H2; // an install happened; the editor has not heard yet
    const before = s.paths().length;
    await e.acquisition.acquire("import 'typed'; import '@scope/pkg';");

    expect(s.paths().slice(before)).toEqual([closureOf(H1, '@scope/pkg'), typesIndexPath(), expect.any(String), expect.any(String), expect.any(String)]);
    expect(s.paths().slice(before + 2).sort()).toEqual([closureOf(H2, '@scope/pkg'), closureOf(H2, '@types/node'), closureOf(H2, 'typed')].sort());
    expect(e.acquisition.lockfileHash).toBe(H2);
    const latest = e.batches.slice(-3).flat();
    expect(latest.find((file) => file.path === 'file:///node_modules/typed/index.d.ts')?.content).toContain("'2.0.0'");
    expect(e.warns.some((message) => message.includes('no longer the server'))).toBe(true);
  });

  it('a 409 on the index of a hash given by reset re-reads GET /types', async () => {
    const s = await start();
    s.currentHash = H2;
    const e = editor({ serverUrl: s.url });
    e.acquisition.reset(H1); // e.g. an install state read before the latest install
    await e.acquisition.acquire("import 'typed';");
    expect(s.paths().slice(0, 2)).toEqual([typesIndexPath(H1), typesIndexPath()]);
    expect(e.acquisition.lockfileHash).toBe(H2);
    expect(e.files().find((file) => file.path === 'file:///node_modules/typed/index.d.ts')?.content).toContain("'2.0.0'");
    expect(await e.acquisition.importablePackages()).toEqual(['@scope/pkg', 'typed', 'untyped', 'uses-typed']);
    expect(e.resets).toEqual([H1, null]);
  });

  it('answers that arrive after a reset are not handed to the editor', async () => {
    const s = await start();
    let release = () => {};
    s.overrides.set(closureOf(H1, 'typed'), { hold: new Promise<void>((resolve) => (release = resolve)) });
    const e = editor({ serverUrl: s.url });
    const pending = e.acquisition.acquire("import 'typed';");
    while (!s.paths().includes(closureOf(H1, 'typed'))) await new Promise((resolve) => setTimeout(resolve, 5));
    e.acquisition.reset(H2); // the server answers for H1 after this
    release();
    await pending;
    expect(s.paths().filter((path) => path === closureOf(H1, 'typed'))).toHaveLength(1);
    expect(e.files().some((file) => file.content.includes("'1.0.0'"))).toBe(false);
    s.currentHash = H2;

    await e.acquisition.acquire("import 'typed';");
    expect(e.files().find((file) => file.path === 'file:///node_modules/typed/index.d.ts')?.content).toContain("'2.0.0'");
  });

  it('a server that is gone yields no files and no exception, and is asked again on the next acquire', async () => {
    // Port 1 on loopback: nothing listens there, and unlike a just-closed ephemeral port no other test can take it.
    const e = editor({ serverUrl: 'http://127.0.0.1:1' });
    await expect(e.acquisition.acquire("import 'typed';")).resolves.toBeUndefined();
    expect(e.files()).toEqual([]);
    expect(e.warns.join('\n')).toMatch(/cannot read the types index: GET http:\/\/127\.0\.0\.1:1\/types failed before an answer/);
    await e.acquisition.acquire("import 'typed';");
    expect(e.warns.filter((message) => message.includes('cannot read the types index'))).toHaveLength(2);
    await expect(e.acquisition.importablePackages()).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(e.resets).toEqual([]);
  });

  it('a failed closure fetch yields no files, is logged, and is retried by a later acquire', async () => {
    const s = await start();
    s.overrides.set(closureOf(H1, 'typed'), { status: 503, body: '{"code":"INTERNAL","message":"busy"}' });
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import 'typed';");
    expect(e.paths()).toEqual(['file:///node_modules/@types/node/index.d.ts']);
    expect(e.warns.some((message) => message.includes('no types for typed') && message.includes('503: busy'))).toBe(true);

    s.overrides.clear();
    await e.acquisition.acquire("import 'typed';");
    expect(s.paths().filter((path) => path === closureOf(H1, 'typed'))).toHaveLength(2);
    expect(e.paths()).toContain('file:///node_modules/typed/index.d.ts');
  });

  it('a body that is not JSON, or JSON of the wrong shape, yields no files', async () => {
    const s = await start();
    s.overrides.set(closureOf(H1, 'typed'), { status: 200, body: '<html>proxy login</html>' });
    s.overrides.set(closureOf(H1, '@scope/pkg'), { status: 200, body: JSON.stringify({ name: '@scope/pkg', files: [{ path: '/etc/passwd', content: 'x' }] }) });
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import 'typed'; import '@scope/pkg';");
    expect(e.paths()).toEqual(['file:///node_modules/@types/node/index.d.ts']);
    expect(e.warns.some((message) => message.includes('not JSON'))).toBe(true);
    expect(e.warns.some((message) => message.includes('unexpected shape'))).toBe(true);

    s.overrides.set(typesIndexPath(), { status: 200, body: JSON.stringify({ lockfileHash: 'nope', packages: [] }) });
    const fresh = editor({ serverUrl: s.url });
    await fresh.acquisition.acquire("import 'typed';");
    expect(fresh.files()).toEqual([]);
  });

  it('relative, absolute, URL and node: specifiers and packages that are not installed fetch nothing', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire(
      [
        "import a from './local.js';",
        "import b from '../up/x';",
        "import c from '/abs/y';",
        "import d from 'https://cdn.example/z.js';",
        "import { readFile } from 'node:fs/promises';",
        "const fs = require('fs');",
        "const missing = await import('not-installed');",
      ].join('\n'),
    );
    expect(closureRequests(s)).toEqual([closureOf(H1, '@types/node')]);
    expect(e.debugs.some((message) => message.includes('not-installed is not installed'))).toBe(true);
    expect(e.debugs.some((message) => message.includes('fs is not installed'))).toBe(true);
  });

  it('a subpath import fetches its package, scoped or not, with the name encoded', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import x from 'typed/sub/path.js';\nexport * from '@scope/pkg/deep';");
    expect(closureRequests(s).sort()).toEqual([closureOf(H1, '@scope/pkg'), closureOf(H1, '@types/node'), closureOf(H1, 'typed')].sort());
    expect(closureRequests(s)).toContain(`/types/${H1}/%40scope%2Fpkg`);
  });

  it('a package without types gets a synthetic declaration so its import resolves to any', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire("import u from 'untyped';");
    const synthetic = e.files().find((file) => file.path === untypedModulePath('untyped'));
    expect(synthetic?.path).toBe('file:///node_modules/@spk-untyped/untyped.d.ts');
    expect(synthetic?.content).toContain('declare module "untyped";');
    expect(synthetic?.content).toContain('declare module "untyped/*";');
  });

  it('sends no Authorization header without a token, and gets a logged 401 with no files', async () => {
    const s = await start(TOKEN);
    const e = editor({ serverUrl: s.url, token: undefined, fetch: (input, init) => fetch(input, init) });
    await e.acquisition.acquire("import 'typed';");
    expect(s.requests).toEqual([{ path: typesIndexPath(), authorization: undefined }]);
    expect(e.files()).toEqual([]);
    expect(e.warns.join('\n')).toContain('401: a bearer token is required');
    await expect(e.acquisition.importablePackages()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('a script without imports still gets Node built-in types, and compilerOptions names them', async () => {
    const s = await start();
    const e = editor({ serverUrl: s.url });
    await e.acquisition.acquire('console.log(process.env.HOME);');
    expect(e.paths()).toEqual(['file:///node_modules/@types/node/index.d.ts']);
    expect((await e.acquisition.compilerOptions()).types).toEqual(['node']);
  });

  it('an editor callback that throws is logged, not thrown', async () => {
    const s = await start();
    const e = editor({
      serverUrl: s.url,
      onFiles: () => {
        throw new Error('editor disposed');
      },
    });
    await expect(e.acquisition.acquire("import 'typed';")).resolves.toBeUndefined();
    expect(e.warns.some((message) => message.includes('onFiles threw'))).toBe(true);
  });
});
