import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_TYPES_MAX_BYTES, typeClosureSchema, typesIndexSchema, type Manifest, type ManifestEntry, type TypeClosure } from '@spk/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { closureVariant } from './closure-cache.ts';
import { CLOSURE_FORMAT_VERSION, computeTypeClosure, type TypeClosureOptions } from './type-closure.ts';
import { createTypesService, type TypesServiceDeps } from './types-service.ts';

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

let dataDir: string;
let current: string | null;
let manifests: Map<string, Manifest>;
let computed: TypeClosureOptions[];
let manifestReads: string[];
let lines: LogLine[];

function entry(name: string, version: string, treePath = `node_modules/${name}`): ManifestEntry {
  return { name, version, path: treePath, integrity: `sha512-${'A'.repeat(86)}==`, size: 1, hasInstallScript: false, bin: {}, dependencies: {} };
}

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** A tree for `hash` with a typed package, an untyped one, its @types companion, @types/node and a nested-only package. */
async function tree(hash: string, typedVersion: string): Promise<void> {
  await write(path.join(dataDir, 'trees', hash), {
    'node_modules/typed/package.json': JSON.stringify({ name: 'typed', version: typedVersion, types: 'index.d.ts' }),
    'node_modules/typed/index.d.ts': `export declare const version: "${typedVersion}";\n`,
    'node_modules/untyped/package.json': JSON.stringify({ name: 'untyped', version: '1.0.0' }),
    'node_modules/@types/untyped/package.json': JSON.stringify({ name: '@types/untyped', version: '1.0.1' }),
    'node_modules/@types/untyped/index.d.ts': 'export declare const untyped: 1;\n',
    'node_modules/@types/node/package.json': JSON.stringify({ name: '@types/node', version: '20.1.0' }),
    'node_modules/@types/node/index.d.ts': 'declare var process: { env: Record<string, string> };\n',
    'node_modules/typed/node_modules/inner/package.json': JSON.stringify({ name: 'inner', version: '1.0.0', types: 'index.d.ts' }),
    'node_modules/typed/node_modules/inner/index.d.ts': 'export {};\n',
  });
  manifests.set(hash, [
    entry('untyped', '1.0.0'),
    entry('typed', typedVersion),
    entry('@types/untyped', '1.0.1'),
    entry('@types/node', '20.1.0'),
    entry('inner', '1.0.0', 'node_modules/typed/node_modules/inner'),
  ]);
}

/** Where closures of `hash` computed under `maxBytes` are stored. */
const variantDir = (hash: string, maxBytes = DEFAULT_TYPES_MAX_BYTES) => path.join(dataDir, 'types', hash, closureVariant(CLOSURE_FORMAT_VERSION, maxBytes));

/** A service over the shared data dir, counting computations; `gate` holds every computation until released. */
function service(gate?: Promise<void>, maxBytes?: number) {
  const deps: TypesServiceDeps = {
    dataDir,
    currentHash: async () => current,
    readManifest: async (hash) => {
      manifestReads.push(hash);
      return manifests.get(hash) ?? null;
    },
    ...(maxBytes === undefined ? {} : { maxBytes }),
    logger: memoryLogger(lines),
    compute: async (options) => {
      computed.push(options);
      await gate;
      return computeTypeClosure(options);
    },
  };
  return createTypesService(deps);
}

const sha256Tag = (body: string) => `"${createHash('sha256').update(body).digest('hex')}"`;

beforeEach(async () => {
  dataDir = await realpath(await mkdtemp(path.join(tmpdir(), 'spk-types-service-')));
  current = H1;
  manifests = new Map();
  computed = [];
  manifestReads = [];
  lines = [];
  await tree(H1, '1.0.0');
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('createTypesService', () => {
  it('refuses a hash other than the current one as stale, saying what to do', async () => {
    const types = service();
    await expect(types.closure(H2, 'typed')).rejects.toMatchObject({
      code: 'STALE_LOCKFILE_HASH',
      message: `stale lockfile hash ${H2.slice(0, 12)}: this instance runs ${H1.slice(0, 12)}; refetch the install state (or GET /types) and use the current hash`,
    });
    await expect(types.index(H2)).rejects.toMatchObject({ code: 'STALE_LOCKFILE_HASH' });
    current = null;
    await expect(types.closure(H1, 'typed')).rejects.toMatchObject({ code: 'STALE_LOCKFILE_HASH', message: expect.stringContaining('this instance runs nothing') });
    await expect(types.index()).rejects.toMatchObject({ code: 'NO_DESIRED_STATE', message: expect.stringContaining('spk install') });
    expect(computed).toHaveLength(0);
  });

  it('answers NOT_FOUND for a package that is not a top-level entry of the manifest, even when it is in the tree', async () => {
    const types = service();
    await expect(types.closure(H1, 'inner')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `inner is not installed in tree ${H1.slice(0, 12)}; declare it with "spk packages add inner" and install`,
    });
    await expect(types.closure(H1, 'absent')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(computed).toHaveLength(0);
  });

  it('lists the importable top-level packages, sorted, with @types/node apart and sizes once known', async () => {
    const types = service();
    const before = await types.index();
    expect(typesIndexSchema.parse(JSON.parse(before.body))).toEqual(before.value);
    expect(before.value).toEqual({
      lockfileHash: H1,
      packages: [
        { name: 'typed', version: '1.0.0', closureBytes: null, closureFiles: null },
        { name: 'untyped', version: '1.0.0', closureBytes: null, closureFiles: null },
      ],
      nodeTypes: { name: '@types/node', version: '20.1.0' },
    });
    expect(before.complete).toBe(false);
    expect((await types.index(H1)).etag).toBe(before.etag);

    const typed = await types.closure(H1, 'typed');
    const untyped = await types.closure(H1, 'untyped');
    expect(untyped.value).toMatchObject({ hasOwnTypes: false, hasAtTypes: true });
    const after = await types.index(H1);
    expect(after.complete).toBe(true);
    expect(after.value.packages).toEqual([
      { name: 'typed', version: '1.0.0', closureBytes: typed.value.bytes, closureFiles: typed.value.files.length },
      { name: 'untyped', version: '1.0.0', closureBytes: untyped.value.bytes, closureFiles: untyped.value.files.length },
    ]);
    expect(after.etag).not.toBe(before.etag);
    // Any top-level entry has a closure, @types ones included.
    expect((await types.closure(H1, '@types/node')).value.files.map((file) => file.path)).toContain('file:///node_modules/@types/node/index.d.ts');
  });

  it('computes a closure once for concurrent requests, with a strong ETag of its body', async () => {
    let release!: () => void;
    const types = service(new Promise<void>((resolve) => (release = resolve)));
    const first = types.closure(H1, 'typed');
    const second = types.closure(H1, 'typed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(computed).toHaveLength(1);
    expect(a.body).toBe(b.body);
    expect(a.etag).toBe(sha256Tag(a.body));
    expect(a.complete).toBe(true);
    expect(typeClosureSchema.parse(JSON.parse(a.body))).toEqual(a.value);
    expect(a.value).toMatchObject({ name: 'typed', version: '1.0.0', hasOwnTypes: true, notFound: false });
    await types.closure(H1, 'typed');
    expect(computed).toHaveLength(1);
  });

  it('serves from disk after a restart without computing again, privately stored, with the same ETag', async () => {
    const first = await service().closure(H1, 'typed');
    expect(computed).toHaveLength(1);
    const dir = variantDir(H1);
    expect((await stat(path.join(dataDir, 'types', H1))).mode & 0o777).toBe(0o700);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual(['typed.json', 'typed.meta.json']);
    for (const file of await readdir(dir)) expect((await stat(path.join(dir, file))).mode & 0o777).toBe(0o600);

    const restarted = service();
    const again = await restarted.closure(H1, 'typed');
    expect(computed).toHaveLength(1);
    expect(again.etag).toBe(first.etag);
    expect(again.body).toBe(first.body);
    expect(again.value).toEqual(first.value);
    // The index of a fresh instance knows the stored sizes too.
    expect((await restarted.index()).value.packages[0]).toMatchObject({ name: 'typed', closureBytes: first.value.bytes });
  });

  it('computes again when a stored body does not match its meta, instead of serving it', async () => {
    const first = await service().closure(H1, 'typed');
    const body = path.join(variantDir(H1), 'typed.json');
    const damaged: TypeClosure = { ...first.value, files: [] };
    await writeFile(body, JSON.stringify(damaged));
    const again = await service().closure(H1, 'typed');
    expect(computed).toHaveLength(2);
    expect(again.body).toBe(first.body);
    expect(await readFile(body, 'utf8')).toBe(first.body);
  });

  it('removes the caches of other hashes when a new current hash is first served', async () => {
    await write(path.join(dataDir, 'types', '0'.repeat(64)), { 'typed.json': '{}' });
    const types = service();
    await types.closure(H1, 'typed');
    expect(await readdir(path.join(dataDir, 'types'))).toEqual([H1]);

    await tree(H2, '2.0.0');
    current = H2;
    await expect(types.closure(H1, 'typed')).rejects.toMatchObject({ code: 'STALE_LOCKFILE_HASH' });
    const next = await types.closure(H2, 'typed');
    expect(next.value.version).toBe('2.0.0');
    expect(await readdir(path.join(dataDir, 'types'))).toEqual([H2]);
    expect(computed.map((options) => options.treeDir)).toEqual([path.join(dataDir, 'trees', H1), path.join(dataDir, 'trees', H2)]);
    // A linked-packages tree links into the extracted store: its files may be read there too.
    expect(computed[1]!.allowedRoots).toEqual([path.join(dataDir, 'trees', H2), path.join(dataDir, 'cache', 'extracted')]);
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('computes again, instead of serving what is stored, under another ceiling or closure format, and keeps only the current variant', async () => {
    await write(path.join(dataDir, 'types', H1), { 'typed.json': '{}', 'typed.meta.json': '{}', 'v1-8388608/typed.json': '{}' });
    const first = await service().closure(H1, 'typed');
    expect(computed).toHaveLength(1);
    expect(await readdir(path.join(dataDir, 'types', H1))).toEqual([closureVariant(CLOSURE_FORMAT_VERSION, DEFAULT_TYPES_MAX_BYTES)]);

    const raised = service(undefined, 2 * DEFAULT_TYPES_MAX_BYTES);
    const again = await raised.closure(H1, 'typed');
    expect(computed).toHaveLength(2);
    expect(computed[1]!.maxBytes).toBe(2 * DEFAULT_TYPES_MAX_BYTES);
    expect(again.body).toBe(first.body);
    expect(await readdir(path.join(dataDir, 'types', H1))).toEqual([closureVariant(CLOSURE_FORMAT_VERSION, 2 * DEFAULT_TYPES_MAX_BYTES)]);
    await service(undefined, 2 * DEFAULT_TYPES_MAX_BYTES).closure(H1, 'typed');
    expect(computed).toHaveLength(2);
  });

  it('sweeps temp files a dead process left in the current variant, and keeps those of a live one', async () => {
    const variantDir = path.join(dataDir, 'types', H1, closureVariant(CLOSURE_FORMAT_VERSION, DEFAULT_TYPES_MAX_BYTES));
    const dead = 'typed.json.tmp-999999999-abc';
    const live = `other.json.tmp-${process.pid}-def`;
    await write(variantDir, { [dead]: '{', [live]: '{' });
    await service().closure(H1, 'typed');
    const left = await readdir(variantDir);
    expect(left).toContain(live);
    expect(left).not.toContain(dead);
  });

  it('reads a hash’s manifest once, however many requests (and 304s) follow', async () => {
    const types = service();
    await types.index();
    await types.closure(H1, 'typed');
    await types.closure(H1, 'typed');
    await types.closure(H1, 'untyped');
    await expect(types.closure(H1, 'absent')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(manifestReads).toEqual([H1]);
    await tree(H2, '2.0.0');
    current = H2;
    await types.closure(H2, 'typed');
    await types.index(H2);
    expect(manifestReads).toEqual([H1, H2]);
  });

  it('answers INTERNAL with advice, not the data dir path, for a listed package missing from the tree, and tries again next time', async () => {
    await rm(path.join(dataDir, 'trees', H1, 'node_modules', 'typed'), { recursive: true });
    const types = service();
    const error = await types.closure(H1, 'typed').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'INTERNAL',
      message: `this instance's tree for ${H1.slice(0, 12)} lacks typed; run "spk hosts fsck --repair" on this host`,
    });
    expect(JSON.stringify(error)).not.toContain(dataDir);
    expect((error as Error).message).not.toContain(dataDir);
    expect(lines.find((line) => line.level === 'error')?.fields).toMatchObject({ path: path.join(dataDir, 'trees', H1, 'node_modules', 'typed') });
    await expect(types.closure(H1, 'typed')).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(computed).toHaveLength(2);
    expect(await readdir(variantDir(H1)).catch(() => [])).toEqual([]);
  });

  it('hands out a fresh value per answer, parsed from the one body it keeps', async () => {
    const types = service();
    const first = await types.closure(H1, 'typed');
    const expected = first.value;
    first.value.files.length = 0;
    (await types.closure(H1, 'typed')).value.files.length = 0;
    const again = await types.closure(H1, 'typed');
    expect(again.value).toEqual(expected);
    expect(again.value.files.length).toBeGreaterThan(0);
    expect(computed).toHaveLength(1);
  });
});
