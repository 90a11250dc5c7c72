// Editor types end to end: a real server installs the typed fixtures (and the repository's own
// @types/node, from a second registry so the shared one never gets it), and a TypeScript language
// service stands in for Monaco, fed only by `@spk/type-acquisition`. Every case proves a correct
// script is clean and a wrong one reports the right diagnostic; then the served files, the HTTP
// caching, fetch-once-per-hash, reset after an install and recovery from a stale hash, where the
// editor drops the old tree's files when the client says so (onReset).
import { lstat, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshPostgresDatabase, dropPostgresDatabase } from '@spk/backend/testing';
import { typesClosurePath, typesIndexPath, type InstallState, type Manifest, type TypeClosure, type TypeFile } from '@spk/common';
import { createMemoryEditor, REPO_ROOT, seedFixtures, spawnServer, startTestRegistry, type SpawnedServer, type TestRegistry } from '@spk/tools';
import { createTypeAcquisition, recommendedCompilerOptions, untypedModulePath, type TypeAcquisition } from '@spk/type-acquisition';

const SCRIPT = 'file:///script.ts';
const IMMUTABLE = 'private, max-age=31536000, immutable';
const NODE_TYPES_DIR = path.join(REPO_ROOT, 'node_modules/@types/node');
const UNDICI_TYPES_DIR = path.join(REPO_ROOT, 'node_modules/undici-types');
/** Language-service checks alone take seconds on a busy machine; with an install and convergence, more. */
const CHECK_TIMEOUT_MS = 120_000;
const INSTALL_AND_CHECK_TIMEOUT_MS = 180_000;

/** Lib files parsed once for both editors (their options parse sources alike). */
const documents = ts.createDocumentRegistry();

/** The stand-in for Monaco, with the script at SCRIPT. */
function createEditor(options: ts.CompilerOptions) {
  const editor = createMemoryEditor(options, documents);
  return {
    files: editor.files,
    addFiles: (delivered: TypeFile[]) => editor.addFiles(delivered),
    /** Everything but the script: what an editor drops when the tree changes. */
    clear: () => editor.clear([SCRIPT]),
    check: (source: string) => editor.check(SCRIPT, source),
    programDiagnostics: () => editor.programDiagnostics(),
  };
}
type Editor = ReturnType<typeof createEditor>;

interface Case {
  label: string;
  good: string;
  bad: string;
  /** Each expected diagnostic of `bad`, as a `TS<code>: ...` prefix or fragment. */
  expected: string[];
}

// One script per case; the wrong one names the identifier the check is about where TypeScript does.
const CASES: Case[] = [
  {
    label: 'own types (spk-fixture-typed)',
    good: `import { greet, id } from 'spk-fixture-typed';\nconst who: 'spk-fixture-typed@1.0.0' = id;\nexport const out: string = greet(who);\n`,
    bad: `import { greet } from 'spk-fixture-typed';\nexport const out = greet(42);\nexport const n: number = greet('x');\n`,
    expected: ["TS2345: Argument of type 'number' is not assignable to parameter of type 'string'.", "TS2322: Type 'string' is not assignable to type 'number'."],
  },
  {
    label: 'types only from @types (spk-fixture-untyped)',
    good: `import { shout, id } from 'spk-fixture-untyped';\nconst who: 'spk-fixture-untyped@1.0.0' = id;\nexport const out: string = shout(who);\n`,
    bad: `import { shout, whisper } from 'spk-fixture-untyped';\nexport const out = shout(1) + whisper;\n`,
    expected: ["TS2305: Module '\"spk-fixture-untyped\"' has no exported member 'whisper'.", "TS2345: Argument of type 'number' is not assignable to parameter of type 'string'."],
  },
  {
    label: 'scoped, own types (@spk-fixtures/typed-scoped)',
    good: `import { scopedSum, id } from '@spk-fixtures/typed-scoped';\nconst who: '@spk-fixtures/typed-scoped@1.0.0' = id;\nexport const out: number = scopedSum(1, 2) + who.length;\n`,
    bad: `import { scopedSum } from '@spk-fixtures/typed-scoped';\nexport const out = scopedSum('1', 2).toUpperCase();\n`,
    expected: ["TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.", "TS2339: Property 'toUpperCase' does not exist on type 'number'."],
  },
  {
    label: 'scoped, types from @types/scope__name (@spk-fixtures/untyped-scoped)',
    good: `import { repeat, id } from '@spk-fixtures/untyped-scoped';\nconst who: '@spk-fixtures/untyped-scoped@1.0.0' = id;\nexport const out: string = repeat(who, 2);\n`,
    bad: `import { repeat } from '@spk-fixtures/untyped-scoped';\nexport const out: string = repeat('a');\n`,
    expected: ['TS2554: Expected 2 arguments, but got 1.'],
  },
  {
    label: "a package whose types import another package, nested in a second version (spk-fixture-types-user -> spk-fixture-types-dep@2)",
    good: `import { describeDep, type DepInfo } from 'spk-fixture-types-user';\nconst info: DepInfo = describeDep();\nconst major: 2 = info.major;\nexport const out: string = info.value + info.label + major;\n`,
    bad: `import { describeDep } from 'spk-fixture-types-user';\nexport const n: number = describeDep().value;\nexport const x = describeDep().nope;\n`,
    expected: ["TS2322: Type 'string' is not assignable to type 'number'.", "TS2339: Property 'nope' does not exist on type 'DepInfo'."],
  },
  {
    label: 'the top-level first version beside the nested second one (spk-fixture-types-dep@1)',
    good: `import { value, info, id } from 'spk-fixture-types-dep';\nconst major: 1 = info().major;\nconst who: 'spk-fixture-types-dep@1.0.0' = id;\nexport const out: number = value() + major + who.length;\n`,
    bad: `import { info, onlyInV2 } from 'spk-fixture-types-dep';\nexport const out = info().label + String(onlyInV2);\n`,
    expected: ["TS2339: Property 'label' does not exist on type 'DepInfo'.", "TS2305: Module '\"spk-fixture-types-dep\"' has no exported member 'onlyInV2'."],
  },
  {
    label: 'types only through nested exports conditions and a subpath (spk-fixture-types-exports)',
    good: `import { makeWidget, Widget, type WidgetOptions } from 'spk-fixture-types-exports';\nimport { describeOptions } from 'spk-fixture-types-exports/sub';\nconst options: WidgetOptions = { size: 2, label: 'w' };\nconst widget: Widget = makeWidget(options);\nexport const out: string = widget.describe() + describeOptions(options) + widget.size;\n`,
    bad: `import { makeWidget } from 'spk-fixture-types-exports';\nimport { describeOptions } from 'spk-fixture-types-exports/sub';\nexport const out = makeWidget({ size: 1 }).rotate();\nexport const sub = describeOptions({ width: 1 });\n`,
    expected: ["TS2339: Property 'rotate' does not exist on type 'Widget'.", "TS2353: Object literal may only specify known properties, and 'width' does not exist in type 'WidgetOptions'."],
  },
  {
    label: "Node's built-ins (process.env, node:fs) through @types/node",
    good: `import { readFileSync } from 'node:fs';\nconst home: string | undefined = process.env.HOME;\nexport const out: string = readFileSync('/etc/hostname', 'utf8') + (home ?? '');\n`,
    bad: `import { readFileSync, readFileSynk } from 'node:fs';\nexport const out = readFileSync(true);\nexport const len: number = process.env.SPK_X.length + String(readFileSynk).length;\n`,
    expected: ['TS2769: No overload matches this call.', "has no exported member named 'readFileSynk'. Did you mean 'readFileSync'?", "TS18048: 'process.env.SPK_X' is possibly 'undefined'."],
  },
];

/** A package without types is `any`: anything goes, nothing is reported. */
const UNTYPED_SCRIPT = `import cjs from 'spk-fixture-cjs';\nimport { whatever } from 'spk-fixture-cjs';\nexport const n: number = cjs.anything.deep + whatever(1, 'two');\n`;

function expectDiagnostics(actual: string[], expected: string[], label: string): void {
  for (const fragment of expected) expect(actual.some((d) => d.includes(fragment)), `${label}: expected "${fragment}" in ${JSON.stringify(actual)}`).toBe(true);
  expect(actual, label).toHaveLength(expected.length);
}

interface SeenRequest {
  url: string;
  status: number;
}

describe('type acquisition through @spk/type-acquisition against a real server', () => {
  let registry: TestRegistry;
  let server: SpawnedServer;
  let dbUrl: URL | undefined;
  let nodeTypesVersion: string;
  /** Every request the client made, in order, with its status. */
  const seen: SeenRequest[] = [];
  /** Every closure the server sent the client, as sent. */
  const served: Array<{ hash: string; closure: TypeClosure }> = [];
  let acquisition: TypeAcquisition;
  /** Every onReset call, in order; each one also empties both editors (but for the script). */
  const resets: Array<string | null> = [];
  /** Two editors: the client's static recommended options, and the options it gives for the current tree. */
  const editors: Array<{ label: string; editor: Editor }> = [];
  let first: { lockfileHash: string; manifest: Manifest };

  /**
   * The language service checks synchronously for seconds, past the server's keep-alive timeout;
   * the close of an idle pooled socket is only noticed once the event loop polls I/O again, so let
   * it poll before a request instead of writing into the dead socket ("other side closed").
   */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    await settle();
    const response = await fetch(`${server.url}/api${route}`, {
      method,
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch((error: unknown) => {
      throw new Error(`${method} ${route} got no answer (${String(error)}: ${String((error as Error).cause)}); server exit code ${server.child.exitCode}, output:\n${server.output()}`);
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  /** Installs the declared set, waits until this instance runs it, and returns what was committed. */
  async function installAndConverge(): Promise<{ lockfileHash: string; manifest: Manifest }> {
    const before = (await api<InstallState>('GET', '/install')).lockfileHash;
    await api('POST', '/install', {});
    let state = await api<InstallState>('GET', '/install');
    for (let i = 0; i < 1200 && (state.status === 'installing' || state.lockfileHash === before) && state.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await api<InstallState>('GET', '/install');
    }
    expect(state.error, server.output()).toBeNull();
    expect(state.lockfileHash).toMatch(/^[a-f0-9]{64}$/);
    expect(state.lockfileHash).not.toBe(before);
    await api('POST', '/hosts/wait-converged', { lockfileHash: state.lockfileHash, timeoutMs: 60_000 });
    return { lockfileHash: state.lockfileHash!, manifest: state.manifest };
  }

  const countingFetch = async (input: string, init?: RequestInit): Promise<Response> => {
    await settle();
    const response = await fetch(input, init);
    seen.push({ url: input.slice(server.url.length), status: response.status });
    const match = /^\/types\/([a-f0-9]{64})\/[^/]+$/.exec(input.slice(server.url.length));
    if (match && response.ok) served.push({ hash: match[1]!, closure: (await response.clone().json()) as TypeClosure });
    return response;
  };

  const checkAll = (source: string) => editors.map(({ label, editor }) => ({ label, diagnostics: editor.check(source) }));

  beforeAll(async () => {
    registry = await startTestRegistry({ logLevel: 'error' });
    await seedFixtures(registry, { token: await registry.addUser('spk-types', 'spk-types-password-1') });
    // The repository's own @types/node (and its dependency), published as they are on disk: real
    // Node declarations, the version this checkout pins, whatever Node runs the test.
    await registry.publish(UNDICI_TYPES_DIR);
    const nodeTypes = await registry.publish(NODE_TYPES_DIR);
    nodeTypesVersion = nodeTypes.version;
    dbUrl = process.env.TEST_DATABASE_URL ? await createFreshPostgresDatabase() : undefined;
    server = await spawnServer({ databaseUrl: dbUrl?.toString(), env: { SPK_TYPES_NODE_MAJOR: String(semver.major(nodeTypesVersion)) } });
    await api('PUT', '/registry', { url: registry.url, token: null });
    for (const [name, range] of [
      ['spk-fixture-typed', '1.0.0'],
      ['spk-fixture-untyped', '1.0.0'],
      ['@spk-fixtures/typed-scoped', '1.0.0'],
      ['@spk-fixtures/untyped-scoped', '1.0.0'],
      ['spk-fixture-types-dep', '1.0.0'],
      ['spk-fixture-types-user', '1.0.0'],
      ['spk-fixture-types-exports', '1.0.0'],
      ['spk-fixture-cjs', '1.0.0'],
    ]) {
      await api('POST', '/packages', { name, range });
    }
    first = await installAndConverge();
    acquisition = createTypeAcquisition({
      serverUrl: server.url,
      token: server.token,
      fetch: countingFetch,
      onFiles: (files) => {
        for (const { editor } of editors) editor.addFiles(files);
      },
      onReset: (lockfileHash) => {
        resets.push(lockfileHash);
        for (const { editor } of editors) editor.clear();
      },
      logger: { debug: () => undefined, warn: () => undefined },
    });
    editors.push({ label: 'recommendedCompilerOptions', editor: createEditor({ ...recommendedCompilerOptions }) });
    editors.push({ label: 'compilerOptions() of the tree', editor: createEditor(await acquisition.compilerOptions()) });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await registry?.stop();
    if (dbUrl) await dropPostgresDatabase(dbUrl);
  });

  it('installs the @types companions and @types/node of the configured major, marked as added for types', () => {
    const entry = (name: string) => first.manifest.find((e) => e.name === name && e.path === `node_modules/${name}`);
    for (const name of ['@types/spk-fixture-untyped', '@types/spk-fixtures__untyped-scoped']) expect(entry(name), name).toMatchObject({ version: '1.0.0', addedForTypes: true });
    expect(entry('@types/node')).toMatchObject({ version: nodeTypesVersion, addedForTypes: true });
    // The nested second version the "nested" case is about.
    expect(first.manifest.find((e) => e.path === 'node_modules/spk-fixture-types-user/node_modules/spk-fixture-types-dep')?.version).toBe('2.0.0');
    expect(entry('spk-fixture-types-dep')?.version).toBe('1.0.0');
  });

  it('lists the importable packages (top-level, no @types) and gives options with Node types for the tree', async () => {
    const names = await acquisition.importablePackages();
    expect(names).toEqual(expect.arrayContaining(['spk-fixture-typed', 'spk-fixture-untyped', '@spk-fixtures/typed-scoped', '@spk-fixtures/untyped-scoped', 'spk-fixture-types-dep', 'spk-fixture-types-user', 'spk-fixture-types-exports', 'spk-fixture-cjs', 'spk-fixture-leaf']));
    expect(names.some((n) => n.startsWith('@types/'))).toBe(false);
    expect(acquisition.lockfileHash).toBe(first.lockfileHash);
  });

  it('fetches each closure once per hash, however often and concurrently the scripts ask', async () => {
    const everything = CASES.map((c) => c.good).join('\n') + UNTYPED_SCRIPT;
    await Promise.all([acquisition.acquire(everything), acquisition.acquire(everything), acquisition.acquire(CASES[0]!.good)]);
    await acquisition.acquire(everything);
    const closureRequests = seen.filter((r) => r.url.startsWith(`/types/${first.lockfileHash}/`));
    const expectedNames = ['@types/node', 'spk-fixture-typed', 'spk-fixture-untyped', '@spk-fixtures/typed-scoped', '@spk-fixtures/untyped-scoped', 'spk-fixture-types-user', 'spk-fixture-types-dep', 'spk-fixture-types-exports', 'spk-fixture-cjs'];
    expect(closureRequests.map((r) => decodeURIComponent(r.url.split('/').at(-1)!)).sort()).toEqual([...expectedNames].sort());
    expect(closureRequests.every((r) => r.status === 200)).toBe(true);
    // Node's own import needs no closure of its own: `node:fs` is in @types/node's.
    expect(seen.some((r) => r.url.includes('node%3Afs') || r.url.endsWith('/fs'))).toBe(false);
  });

  for (const c of CASES) {
    it(`type-checks ${c.label}: a correct script is clean, a wrong one reports the diagnostic`, async () => {
      await acquisition.acquire(c.good);
      for (const { label, diagnostics } of checkAll(c.good)) expect(diagnostics, `${label}: ${c.good}`).toEqual([]);
      for (const { label, diagnostics } of checkAll(c.bad)) expectDiagnostics(diagnostics, c.expected, `${label}: ${c.bad}`);
    }, CHECK_TIMEOUT_MS);
  }

  it('types a package without declarations as any, with no error', async () => {
    await acquisition.acquire(UNTYPED_SCRIPT);
    const cjs = served.find((s) => s.closure.name === 'spk-fixture-cjs')!.closure;
    expect(cjs).toMatchObject({ notFound: true, hasOwnTypes: false, hasAtTypes: false });
    for (const { label, diagnostics } of checkAll(UNTYPED_SCRIPT)) expect(diagnostics, label).toEqual([]);
    expect(editors[0]!.editor.files.has(untypedModulePath('spk-fixture-cjs'))).toBe(true);
  }, CHECK_TIMEOUT_MS);

  it('reports no program-level diagnostics for the delivered files under either set of options', () => {
    for (const { label, editor } of editors) expect(editor.programDiagnostics(), label).toEqual([]);
  }, CHECK_TIMEOUT_MS);

  it("serves only files of the server's tree, each declaration byte for byte", async () => {
    const treeModules = path.join(server.dataDir, 'trees', first.lockfileHash, 'node_modules');
    const treeRoot = await realpath(path.join(server.dataDir, 'trees', first.lockfileHash));
    const extracted = await realpath(path.join(server.dataDir, 'cache', 'extracted'));
    const closures = served.filter((s) => s.hash === first.lockfileHash).map((s) => s.closure);
    expect(closures.length).toBeGreaterThanOrEqual(9);
    let declarations = 0;
    for (const closure of closures) {
      expect(closure.truncated, closure.name).toBe(false);
      for (const file of closure.files) {
        expect(file.path.startsWith('file:///node_modules/'), file.path).toBe(true);
        const relative = file.path.slice('file:///node_modules/'.length);
        expect(relative.split('/').includes('..'), file.path).toBe(false);
        const onDisk = path.resolve(treeModules, relative);
        expect(onDisk.startsWith(`${treeModules}${path.sep}`), file.path).toBe(true);
        expect((await lstat(onDisk)).isFile(), file.path).toBe(true);
        // Hard links in the tree; a linked-packages tree may point into the extracted store.
        const real = await realpath(onDisk);
        expect(real.startsWith(`${treeRoot}${path.sep}`) || real.startsWith(`${extracted}${path.sep}`), `${file.path} is ${real}`).toBe(true);
        if (/\.d\.[cm]?ts$/.test(relative)) {
          declarations += 1;
          expect(file.content, file.path).toBe(await readFile(onDisk, 'utf8'));
        } else {
          // Trimmed package.json: what TypeScript reads, agreeing with the tree's copy.
          expect(relative.endsWith('package.json'), file.path).toBe(true);
          const trimmed = JSON.parse(file.content) as { name?: string; version?: string };
          const full = JSON.parse(await readFile(onDisk, 'utf8')) as { name: string; version: string };
          expect({ name: trimmed.name, version: trimmed.version }, file.path).toEqual({ name: full.name, version: full.version });
        }
      }
    }
    expect(declarations).toBeGreaterThan(20);
    const paths = closures.flatMap((c) => c.files.map((f) => f.path));
    // The nested copy and both branches of the exports conditions are part of what was served.
    expect(paths).toEqual(
      expect.arrayContaining([
        'file:///node_modules/spk-fixture-types-user/node_modules/spk-fixture-types-dep/index.d.ts',
        'file:///node_modules/spk-fixture-types-dep/index.d.ts',
        'file:///node_modules/spk-fixture-types-exports/dist/index.d.mts',
        'file:///node_modules/spk-fixture-types-exports/dist/widget.d.mts',
        'file:///node_modules/spk-fixture-types-exports/dist/types.d.ts',
        'file:///node_modules/spk-fixture-types-exports/dist/sub/index.d.ts',
        'file:///node_modules/@types/spk-fixtures__untyped-scoped/index.d.ts',
        'file:///node_modules/@types/node/fs.d.ts',
      ]),
    );
  });

  it('answers a closure with a strong ETag and 304 to If-None-Match, and 401 without a token', async () => {
    const url = `${server.url}${typesClosurePath(first.lockfileHash, '@spk-fixtures/untyped-scoped')}`;
    await settle();
    const response = await fetch(url, { headers: { authorization: `Bearer ${server.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe(IMMUTABLE);
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(((await response.json()) as TypeClosure).hasAtTypes).toBe(true);
    const again = await fetch(url, { headers: { authorization: `Bearer ${server.token}`, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${server.url}${typesIndexPath(first.lockfileHash)}`)).status).toBe(401);
    expect((await fetch(`${server.url}${typesIndexPath()}`)).status).toBe(401);
  });

  it('refetches every closure after a new install once reset with its hash, and the old hash gets 409', async () => {
    // The top level moves to spk-fixture-types-dep@2: onlyInV2 appears, and the user's copy is no longer nested.
    await api('PATCH', '/packages/spk-fixture-types-dep', { range: '2.0.0' });
    const second = await installAndConverge();
    const stale = await fetch(`${server.url}${typesClosurePath(first.lockfileHash, 'spk-fixture-typed')}`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(stale.status).toBe(409);
    const refusal = (await stale.json()) as { code: string; message: string };
    expect(refusal.code).toBe('STALE_LOCKFILE_HASH');
    expect(refusal.message).toMatch(/stale lockfile hash|refetch the install state/i);
    expect(stale.headers.get('cache-control') ?? '').not.toContain('immutable');
    expect(stale.headers.get('etag')).toBeNull();

    const from = seen.length;
    expect(resets).toEqual([]);
    acquisition.reset(second.lockfileHash);
    // onReset emptied the editors: nothing of the first tree is left to mix with the second.
    expect(resets).toEqual([second.lockfileHash]);
    for (const { label, editor } of editors) expect([...editor.files.keys()].filter((file) => file !== SCRIPT), label).toEqual([]);
    const script = `import { onlyInV2, info } from 'spk-fixture-types-dep';\nimport { describeDep } from 'spk-fixture-types-user';\nimport { greet } from 'spk-fixture-typed';\nexport const out: string = String(onlyInV2()) + info().label + describeDep().label + greet('x');\n`;
    await acquisition.acquire(script);
    await acquisition.acquire(script);
    const requests = seen.slice(from);
    expect(requests.every((r) => r.status === 200 && r.url.startsWith(`/types/${second.lockfileHash}`)), JSON.stringify(requests)).toBe(true);
    const closures = requests.filter((r) => r.url.startsWith(`/types/${second.lockfileHash}/`)).map((r) => decodeURIComponent(r.url.split('/').at(-1)!));
    expect(closures.sort()).toEqual(['@types/node', 'spk-fixture-typed', 'spk-fixture-types-dep', 'spk-fixture-types-user']);
    expect(acquisition.lockfileHash).toBe(second.lockfileHash);
    for (const { label, diagnostics } of checkAll(script)) expect(diagnostics, label).toEqual([]);
    expect(editors[0]!.editor.files.get('file:///node_modules/spk-fixture-types-dep/index.d.ts')?.content).toContain("'spk-fixture-types-dep@2.0.0'");
  }, INSTALL_AND_CHECK_TIMEOUT_MS);

  it('recovers from a stale hash without a reset: onReset drops the old files, the 409 makes it re-read the current tree and deliver its files', async () => {
    // In the second tree, the editors hold an `any` placeholder (spk-fixture-cjs) and real types (spk-fixture-typed).
    const typedScript = CASES[0]!.good;
    await acquisition.acquire(UNTYPED_SCRIPT);
    await acquisition.acquire(typedScript);
    for (const { label, diagnostics } of [...checkAll(UNTYPED_SCRIPT), ...checkAll(typedScript)]) expect(diagnostics, label).toEqual([]);
    expect(editors[0]!.editor.files.has(untypedModulePath('spk-fixture-cjs'))).toBe(true);
    const resetsBefore = resets.length;

    // Back to the first major at the top level, and without those two packages.
    await api('PATCH', '/packages/spk-fixture-types-dep', { range: '1.0.0' });
    await api('DELETE', '/packages/spk-fixture-cjs');
    await api('DELETE', '/packages/spk-fixture-typed');
    const third = await installAndConverge();
    expect(third.manifest.some((entry) => entry.name === 'spk-fixture-cjs' || entry.name === 'spk-fixture-typed')).toBe(false);
    const from = seen.length;
    // A package not fetched for the second tree yet: its request carries the stale hash.
    const script = `import { info, value } from 'spk-fixture-types-dep';\nimport { makeWidget } from 'spk-fixture-types-exports';\nconst major: 1 = info().major;\nexport const out: number = value() + major + makeWidget({ size: 1 }).size;\n`;
    await acquisition.acquire(script);
    const requests = seen.slice(from);
    expect(requests.some((r) => r.status === 409 && r.url.startsWith('/types/') && !r.url.includes(third.lockfileHash)), JSON.stringify(requests)).toBe(true);
    expect(requests.filter((r) => r.url.startsWith(`/types/${third.lockfileHash}/`) && r.status === 200).map((r) => decodeURIComponent(r.url.split('/').at(-1)!)).sort()).toEqual([
      '@types/node',
      'spk-fixture-types-dep',
      'spk-fixture-types-exports',
    ]);
    expect(acquisition.lockfileHash).toBe(third.lockfileHash);
    // One reset, before the third tree's files: the editors hold nothing of the second tree.
    expect(resets.slice(resetsBefore)).toEqual([null]);
    for (const { label, editor } of editors) {
      expect(editor.files.has(untypedModulePath('spk-fixture-cjs')), label).toBe(false);
      expect([...editor.files.keys()].filter((file) => file.startsWith('file:///node_modules/spk-fixture-typed/')), label).toEqual([]);
    }
    expect(editors[0]!.editor.files.get('file:///node_modules/spk-fixture-types-dep/index.d.ts')?.content).toContain("'spk-fixture-types-dep@1.0.0'");
    for (const { label, diagnostics } of checkAll(script)) expect(diagnostics, label).toEqual([]);

    // The removed packages no longer import, however often the scripts ask.
    await acquisition.acquire(UNTYPED_SCRIPT);
    await acquisition.acquire(typedScript);
    const cannotFind = (name: string) => `TS2307: Cannot find module '${name}' or its corresponding type declarations.`;
    for (const { label, diagnostics } of checkAll(UNTYPED_SCRIPT)) expect(diagnostics, label).toEqual([cannotFind('spk-fixture-cjs'), cannotFind('spk-fixture-cjs')]);
    for (const { label, diagnostics } of checkAll(typedScript)) expect(diagnostics, label).toEqual([cannotFind('spk-fixture-typed')]);
    expect(resets.slice(resetsBefore)).toEqual([null]);
  }, INSTALL_AND_CHECK_TIMEOUT_MS);
});
