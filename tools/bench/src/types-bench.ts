// `npm run bench:types [-- --set fixtures|medium] [--runs N]`: editor types on a real server (PostgreSQL
// with TEST_DATABASE_URL, else PGlite). Per typed package of the set: closure files and bytes, the
// first computation (the first GET after a start with no cached closures) and a cached GET. Then the
// client's time to the first complete diagnostics of a script importing five typed packages, against
// the floor: the same declaration files read straight from the tree dir into a language service.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { createFreshPostgresDatabase, dropPostgresDatabase } from '@spk/backend/testing';
import { NODE_TYPES_PACKAGE, typesClosurePath, typesIndexPath, type InstallState, type TypeClosure, type TypeFile, type TypesIndex } from '@spk/common';
import { createMemoryEditor, spawnServer, type SpawnedServer } from '@spk/tools';
import { compilerOptionsFor, createTypeAcquisition } from '@spk/type-acquisition';
import { median, openPackageSource, parseBenchArgs, printTable, timeIt, type Row } from './bench-support.ts';

const args = parseBenchArgs(process.argv.slice(2), { runs: 3, set: 'medium' });
// The typed fixtures join the usual fixture set, so `--set fixtures` has five typed packages to import.
const TYPED_FIXTURES = ['spk-fixture-types-user', 'spk-fixture-types-exports', '@spk-fixtures/typed-scoped', '@spk-fixtures/untyped-scoped'];
/** Imported together by the diagnostics script when typed; the set's other typed packages fill up to five. */
const PREFERRED = ['axios', 'zod', 'date-fns', 'pg', 'ioredis', 'spk-fixture-typed', 'spk-fixture-untyped', ...TYPED_FIXTURES];
const CACHED_SAMPLES = 20;
const SCRIPT = 'file:///script.ts';

const source = await openPackageSource(args.set);
const packages = args.set === 'fixtures' ? [...source.packages, ...TYPED_FIXTURES] : source.packages;
const work = await mkdtemp(path.join(tmpdir(), 'spk-bench-types-'));
const dataDir = path.join(work, 'core');
const token = `bench_types_${Date.now()}_admin`;
const dbUrl = process.env.TEST_DATABASE_URL ? await createFreshPostgresDatabase() : undefined;

const startCore = () => spawnServer({ databaseUrl: dbUrl?.toString(), dataDir, token, timeoutMs: 120_000, env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });

async function call<T>(server: SpawnedServer, method: string, route: string, body?: unknown): Promise<T> {
  const send = () =>
    fetch(`${server.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  // On PGlite a large publish can block the core's event loop past its keep-alive timeout, and it
  // then resets the pooled connection of the next request; a GET is safe to send once more.
  const response = await send().catch((error: unknown) => {
    if (method !== 'GET') throw error;
    return send();
  });
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}
const getJson = <T>(server: SpawnedServer, route: string) => call<T>(server, 'GET', route);

/** Installs the declared set and waits until the core committed it and runs it. */
async function installAndConverge(core: SpawnedServer): Promise<string> {
  await call(core, 'POST', '/api/install', {});
  let state = await getJson<InstallState>(core, '/api/install');
  while (state.status === 'installing' || !state.lockfileHash) {
    if (state.status === 'failed') throw new Error(`install failed: ${state.error?.code} ${state.error?.message}`);
    await new Promise((r) => setTimeout(r, 200));
    state = await getJson<InstallState>(core, '/api/install');
  }
  if (state.status !== 'idle') throw new Error(`install ended ${state.status}: ${state.error?.code} ${state.error?.message}`);
  await call(core, 'POST', '/api/hosts/wait-converged', { lockfileHash: state.lockfileHash, timeoutMs: 300_000 });
  return state.lockfileHash;
}

/** The language service an editor would run: the given files as root files (Monaco's extra libs), lib files from disk. */
function firstDiagnostics(files: Map<string, string>, options: ts.CompilerOptions): string[] {
  const editor = createMemoryEditor(options);
  editor.addFiles([...files].map(([file, content]) => ({ path: file, content })));
  const diagnostics = editor.check(SCRIPT, files.get(SCRIPT)!);
  editor.dispose();
  return diagnostics;
}

interface PackageRow {
  name: string;
  version: string;
  kind: string;
  files: number;
  bytes: number;
  truncated: boolean;
  firstMs: number[];
  cachedMs: number[];
}

let server: SpawnedServer | undefined;
try {
  let core = await startCore();
  server = core;
  await call(core, 'PUT', '/api/registry', { url: source.registryUrl, ...(source.token ? { token: source.token } : {}) });
  for (const name of packages) await call(core, 'POST', '/api/packages', { name });
  const hash = await installAndConverge(core);
  const index = await getJson<TypesIndex>(core, typesIndexPath(hash));
  const declared = new Set(packages);
  const measured = [...(index.nodeTypes ? [NODE_TYPES_PACKAGE] : []), ...index.packages.map((p) => p.name).filter((n) => declared.has(n))];

  const rows = new Map<string, PackageRow>();
  const closures = new Map<string, TypeClosure>();
  for (let run = 0; run < args.runs; run++) {
    if (run > 0) {
      // Closures are computed on a tree's first request for them and kept in <dataDir>/types/<hash>/
      // (and memory): a restart with that removed makes the next GET compute again.
      await core.stop();
      await rm(path.join(dataDir, 'types'), { recursive: true, force: true });
      core = await startCore();
      server = core;
    }
    for (const name of measured) {
      const first = await timeIt(() => getJson<TypeClosure>(core, typesClosurePath(hash, name)));
      closures.set(name, first.value);
      const row = rows.get(name) ?? {
        name,
        version: first.value.version,
        kind: first.value.hasOwnTypes ? 'own' : first.value.hasAtTypes ? '@types' : 'none',
        files: first.value.files.length,
        bytes: first.value.bytes,
        truncated: first.value.truncated,
        firstMs: [],
        cachedMs: [],
      };
      row.firstMs.push(first.ms);
      for (let i = 0; i < CACHED_SAMPLES; i++) row.cachedMs.push((await timeIt(() => getJson<TypeClosure>(core, typesClosurePath(hash, name)))).ms);
      rows.set(name, row);
    }
  }

  const typed = [...rows.values()].filter((r) => r.kind !== 'none');
  const size = (b: number) => (b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
  const head = ['package', 'types', 'files', 'bytes', 'first ms', 'cached ms', 'first/cached'];
  const lines = [
    `type closures: ${args.set} set, ${typed.length} typed of ${rows.size} measured packages, tree ${hash.slice(0, 12)}, ${args.runs} first computation(s) and ${CACHED_SAMPLES * args.runs} cached GETs each (medians)`,
    head.map((h, i) => (i === 0 ? h.padEnd(44) : h.padStart(14))).join(''),
  ];
  for (const r of [...rows.values()].sort((a, b) => b.bytes - a.bytes)) {
    const cells = [`${r.name}@${r.version}`, `${r.kind}${r.truncated ? ' (trunc.)' : ''}`, String(r.files), size(r.bytes), median(r.firstMs).toFixed(1), median(r.cachedMs).toFixed(2), `${(median(r.firstMs) / median(r.cachedMs)).toFixed(1)}x`];
    lines.push(cells.map((c, i) => (i === 0 ? c.padEnd(44) : c.padStart(14))).join(''));
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  // Five typed packages (never @types/node itself: the client brings it along with any import).
  const importable = typed.map((r) => r.name).filter((n) => n !== NODE_TYPES_PACKAGE);
  const five = [...PREFERRED.filter((n) => importable.includes(n)), ...importable.filter((n) => !PREFERRED.includes(n))].slice(0, 5);
  if (five.length < 5) throw new Error(`the ${args.set} set has only ${five.length} typed packages (${five.join(', ')}); five are needed`);
  const script = `${five.map((name, i) => `import * as p${i} from ${JSON.stringify(name)};`).join('\n')}\nexport const used = [${five.map((_, i) => `p${i}`).join(', ')}];\n`;

  const wanted = [NODE_TYPES_PACKAGE, ...five].filter((n) => closures.has(n));
  const paths = [...new Set(wanted.flatMap((n) => closures.get(n)!.files.map((f) => f.path)))];
  const options = compilerOptionsFor(index);
  const treeModules = path.join(dataDir, 'trees', hash, 'node_modules');
  /** The floor: the same paths, read from the tree on disk, no HTTP and no client. */
  const fromTree = async () => {
    const files = new Map<string, string>([[SCRIPT, script]]);
    await Promise.all(paths.map(async (p) => files.set(p, await readFile(path.join(treeModules, p.slice('file:///node_modules/'.length)), 'utf8'))));
    return firstDiagnostics(files, options);
  };
  // Unmeasured: the first language service in a process also pays for compiling TypeScript itself.
  await fromTree();

  const clientMs: number[] = [];
  const floorMs: number[] = [];
  let clientDiagnostics: string[] = [];
  let floorDiagnostics: string[] = [];
  let fileCount = 0;
  for (let run = 0; run < args.runs; run++) {
    // The last language service held the event loop for seconds: let it notice the pooled sockets
    // the core closed meanwhile, or the first request is written into a dead one.
    await new Promise((r) => setTimeout(r, 10));
    // The client: a fresh acquisition and editor, as a page load starts them.
    const client = await timeIt(async () => {
      const files = new Map<string, string>([[SCRIPT, script]]);
      const acquisition = createTypeAcquisition({
        serverUrl: core.url,
        token,
        onFiles: (delivered: TypeFile[]) => {
          for (const file of delivered) files.set(file.path, file.content);
        },
        logger: { debug: () => undefined, warn: (message: string) => process.stderr.write(`${message}\n`) },
      });
      await acquisition.acquire(script);
      fileCount = files.size - 1;
      return firstDiagnostics(files, await acquisition.compilerOptions());
    });
    if (fileCount < paths.length) throw new Error(`the client delivered ${fileCount} files, the closures hold ${paths.length}: a request failed (see above)`);
    clientMs.push(client.ms);
    clientDiagnostics = client.value;

    const floor = await timeIt(fromTree);
    floorMs.push(floor.ms);
    floorDiagnostics = floor.value;
  }

  const timeRows: Row[] = [
    { label: 'floor: tree files -> language service', samples: floorMs },
    { label: 'client: acquire over HTTP -> language service', samples: clientMs, reference: 'floor: tree files -> language service' },
  ];
  printTable(`first complete diagnostics for a script importing ${five.join(', ')} (+ @types/node: ${index.nodeTypes ? 'yes' : 'no'}); ${fileCount} files, ${args.runs} run(s)`, timeRows);
  const same = JSON.stringify(clientDiagnostics) === JSON.stringify(floorDiagnostics);
  process.stdout.write(`diagnostics: client ${clientDiagnostics.length}, floor ${floorDiagnostics.length}, ${same ? 'identical' : 'DIFFERENT'}\n`);
  if (!same) process.stdout.write(`client: ${JSON.stringify(clientDiagnostics)}\nfloor: ${JSON.stringify(floorDiagnostics)}\n`);
} catch (error) {
  // The core's own account of what went wrong is in its output, not in a refused fetch.
  if (server) process.stderr.write(`core (exit code ${server.child.exitCode}, signal ${server.child.signalCode}) output, last 4000 characters:\n${server.output().slice(-4000)}\n`);
  throw error;
} finally {
  await server?.stop();
  await source.stop();
  if (dbUrl) await dropPostgresDatabase(dbUrl);
  await rm(work, { recursive: true, force: true });
}
