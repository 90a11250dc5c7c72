import ssri from 'ssri';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZE_CAPS, isSpkError, type SizeCaps } from '@spk/common';
import { craftPackage, type CraftedEntry } from '@spk/tools';
import { streamOf, verifyBlob, type BlobStore } from '../blob-stores/blob-store.ts';
import type { DeclaredEntry } from './declared-set-check.ts';
import { runInstallPipeline, type PipelineDeps } from './install-pipeline.ts';
import type { ResolvedNode } from './resolve-tree.ts';

interface Pkg {
  node: ResolvedNode;
  bytes: Uint8Array;
}

function pkg(name: string, entries: CraftedEntry[] = [{ path: 'package/index.js', content: `module.exports = '${name}'` }]): Pkg {
  const { tarball, integrity } = craftPackage({ name, version: '1.0.0' }, entries);
  const node: ResolvedNode = {
    name,
    version: '1.0.0',
    path: `node_modules/${name}`,
    registryIntegrity: integrity,
    sha512: integrity,
    resolved: `http://registry.invalid/${name}/-/${name}-1.0.0.tgz`,
    hasInstallScript: false,
    bin: {},
    dependencies: {},
  };
  return { node, bytes: new Uint8Array(tarball) };
}

/** The pipeline's world in memory: a registry, a blob store that records every put, a blob index. */
function world(
  registry: Pkg[],
  options: { caps?: SizeCaps; published?: Pkg[]; damaged?: string[]; serve?: Map<string, Uint8Array>; declared?: DeclaredEntry[]; scriptsAllowed?: string[] } = {},
) {
  const blobs = new Map<string, Uint8Array>();
  const index = new Map<string, number>();
  for (const p of options.published ?? []) {
    blobs.set(p.node.sha512!, p.bytes);
    index.set(p.node.sha512!, p.bytes.byteLength);
  }
  const damaged = new Set(options.damaged ?? []);
  const puts: string[] = [];
  const fetches: string[] = [];
  const store: BlobStore = {
    id: 'memory',
    has: async (integrity) => blobs.has(integrity),
    async put(integrity, bytes) {
      verifyBlob(integrity, bytes);
      puts.push(integrity);
      const written = !blobs.has(integrity) || damaged.has(integrity);
      blobs.set(integrity, bytes);
      damaged.delete(integrity);
      return { written };
    },
    get: async (integrity) => blobs.get(integrity) ?? null,
    getStream: async (integrity) => streamOf(blobs.get(integrity) ?? null),
    delete: async (integrity) => blobs.delete(integrity),
    async *list() {
      yield* blobs.keys();
    },
  };
  const deps: PipelineDeps = {
    declared: options.declared ?? registry.map((p) => ({ name: p.node.name, range: '^1.0.0' })),
    resolve: async () => registry.map((p) => p.node),
    scriptsAllowed: new Set(options.scriptsAllowed ?? []),
    async fetch(node) {
      fetches.push(node.name);
      return options.serve?.get(node.name) ?? registry.find((p) => p.node.name === node.name)!.bytes;
    },
    indexedSizes: async (integrities) => new Map(integrities.filter((i) => index.has(i)).map((i) => [i, index.get(i)!])),
    intactAmong: async (entries) => new Set(entries.map((e) => e.integrity).filter((integrity) => blobs.has(integrity) && !damaged.has(integrity))),
    store,
    async recordBlob(entry) {
      index.set(entry.integrity, entry.size);
    },
    caps: options.caps ?? { ...DEFAULT_SIZE_CAPS },
    progress: async () => undefined,
    concurrency: 2,
  };
  return { deps, blobs, puts, fetches, index };
}

const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e);

describe('install pipeline', () => {
  it('publishes every new tarball once and builds the manifest from what it checked', async () => {
    const a = pkg('a');
    const b = pkg('b');
    const w = world([a, b]);
    const result = await runInstallPipeline(w.deps);
    expect(result.published).toBe(2);
    expect(w.puts.sort()).toEqual([a.node.sha512, b.node.sha512].sort());
    expect(result.manifest.map((e) => [e.name, e.integrity, e.size])).toEqual([
      ['a', a.node.sha512, a.bytes.byteLength],
      ['b', b.node.sha512, b.bytes.byteLength],
    ]);
  });

  it('publishes nothing and fetches nothing when the same set is installed again', async () => {
    const a = pkg('a');
    const b = pkg('b');
    const first = world([a, b]);
    const before = await runInstallPipeline(first.deps);
    const w = world([a, b], { published: [a, b] });
    const again = await runInstallPipeline(w.deps);
    expect(again.lockfileHash).toBe(before.lockfileHash);
    expect(again.published).toBe(0);
    expect(w.fetches).toEqual([]);
    expect(w.puts).toEqual([]);
  });

  it('refuses a tarball that does not match its integrity and publishes nothing, not even the good ones', async () => {
    const a = pkg('a');
    const b = pkg('b');
    const w = world([a, b], { serve: new Map([['b', pkg('b', [{ path: 'package/index.js', content: 'tampered' }]).bytes]]) });
    const error = await failureOf(runInstallPipeline(w.deps));
    expect(isSpkError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('b@1.0.0');
    expect(w.puts).toEqual([]);
    expect(w.index.size).toBe(0);
  });

  it.each<[string, CraftedEntry]>([
    ['a ".." entry', { path: 'package/../../escaped', content: 'x' }],
    ['a symlink out of the package', { path: 'package/out', type: 'SymbolicLink', linkpath: '../../../etc' }],
    ['a device', { path: 'package/dev', type: 'CharacterDevice' }],
    ['a duplicate entry', { path: 'package/package.json', content: '{}' }],
  ])('refuses a tarball with %s, naming package and entry, and publishes nothing', async (_, bad) => {
    const good = pkg('good');
    const evil = pkg('evil', [{ path: 'package/index.js', content: 'x' }, bad]);
    const w = world([good, evil]);
    const error = await failureOf(runInstallPipeline(w.deps));
    expect(isSpkError(error, 'UNSAFE_TARBALL')).toBe(true);
    expect((error as { details: unknown }).details).toMatchObject({ package: 'evil@1.0.0', entry: bad.path });
    expect((error as Error).message).toContain(`the tarball of evil@1.0.0 is unsafe: entry "${bad.path}"`);
    expect((error as Error).message).toContain('nothing was published');
    expect(w.puts).toEqual([]);
  });

  it('blocks an oversized package before any put', async () => {
    const a = pkg('a');
    const big = pkg('big', [{ path: 'package/data.txt', content: ssri.fromData('seed').toString().repeat(400) }]);
    const w = world([a, big], { caps: { ...DEFAULT_SIZE_CAPS, maxPackageBytes: a.bytes.byteLength + 10 } });
    const error = await failureOf(runInstallPipeline(w.deps));
    expect(isSpkError(error, 'SIZE_CAP_EXCEEDED')).toBe(true);
    expect((error as Error).message).toContain('big@1.0.0');
    expect(w.puts).toEqual([]);
  });

  it('refuses a set from which npm dropped a declared package ("Zod" beside "zod"), naming it, and fetches nothing', async () => {
    const zod = pkg('zod');
    const w = world([zod], { declared: [{ name: 'Zod', range: 'latest' }, { name: 'zod', range: 'latest' }] });
    const error = await failureOf(runInstallPipeline(w.deps));
    expect(isSpkError(error, 'DECLARED_PACKAGE_MISSING')).toBe(true);
    expect((error as Error).message).toBe(
      'the resolved tree lacks declared package at the top level: Zod@latest (absent); nothing was published and the previous desired state stays. Check each name and range (spk packages list), or remove it with "spk packages remove"',
    );
    expect(w.fetches).toEqual([]);
    expect(w.puts).toEqual([]);
  });

  it('refuses a top-level version outside the declared range, and a declared package found only nested', async () => {
    const a = pkg('a');
    const nested = pkg('b');
    nested.node = { ...nested.node, path: 'node_modules/a/node_modules/b' };
    const w = world([a, nested], { declared: [{ name: 'a', range: '^2.0.0' }, { name: 'b', range: '1.0.0' }] });
    const error = await failureOf(runInstallPipeline(w.deps));
    expect(isSpkError(error, 'DECLARED_PACKAGE_MISSING')).toBe(true);
    expect((error as { details: unknown }).details).toEqual({
      missing: [
        { name: 'a', range: '^2.0.0', found: 'a@1.0.0' },
        { name: 'b', range: '1.0.0', found: null },
      ],
    });
    expect(w.puts).toEqual([]);
  });

  it('refuses two declared names that differ only in letter case even when both resolve', async () => {
    const upper = pkg('Legacy');
    const lower = pkg('legacy');
    const w = world([upper, lower], { declared: [{ name: 'Legacy', range: 'latest' }, { name: 'legacy', range: '*' }] });
    const error = await failureOf(runInstallPipeline(w.deps));
    expect(isSpkError(error, 'PACKAGE_NAME_CONFLICT')).toBe(true);
    expect((error as Error).message).toContain('"Legacy" and "legacy" differ only in letter case');
    expect(w.puts).toEqual([]);
  });

  it('fetches and puts again a published blob whose stored bytes are damaged, and only that one', async () => {
    const a = pkg('a');
    const b = pkg('b');
    const w = world([a, b], { published: [a, b], damaged: [b.node.sha512!] });
    const result = await runInstallPipeline(w.deps);
    expect(w.fetches).toEqual(['b']);
    expect(w.puts).toEqual([b.node.sha512]);
    expect(result.published).toBe(1);
    expect(result.manifest.find((e) => e.name === 'b')?.integrity).toBe(b.node.sha512);
  });

  it('marks in the manifest exactly the nodes the resolve added for types, and the mark changes the hash', async () => {
    const untyped = pkg('untyped');
    const companion = pkg('@types/untyped');
    const plain = await runInstallPipeline(world([untyped, companion], { declared: [{ name: 'untyped', range: '^1.0.0' }] }).deps);
    companion.node = { ...companion.node, addedForTypes: true };
    const marked = await runInstallPipeline(world([untyped, companion], { declared: [{ name: 'untyped', range: '^1.0.0' }] }).deps);
    expect(marked.manifest.map((e) => [e.name, e.addedForTypes])).toEqual([
      ['untyped', undefined],
      ['@types/untyped', true],
    ]);
    expect(Object.keys(marked.manifest[0]!)).not.toContain('addedForTypes');
    expect(marked.lockfileHash).not.toBe(plain.lockfileHash);
  });

  it('marks scriptsAllowed only on allowed packages that have install scripts, and allowing one changes the hash', async () => {
    const scripted = pkg('scripted');
    scripted.node = { ...scripted.node, hasInstallScript: true };
    const plain = pkg('plain');
    const without = await runInstallPipeline(world([scripted, plain]).deps);
    const allowed = await runInstallPipeline(world([scripted, plain], { scriptsAllowed: ['scripted', 'plain', 'absent'] }).deps);
    expect(without.manifest.map((e) => [e.name, e.hasInstallScript, e.scriptsAllowed])).toEqual([
      ['scripted', true, undefined],
      ['plain', false, undefined],
    ]);
    expect(allowed.manifest.map((e) => [e.name, e.scriptsAllowed])).toEqual([
      ['scripted', true],
      ['plain', undefined],
    ]);
    expect(Object.keys(allowed.manifest[1]!)).not.toContain('scriptsAllowed');
    expect(allowed.lockfileHash).not.toBe(without.lockfileHash);
  });

  it('warns about deprecated versions and declared dist-tags in the result, before the size warnings', async () => {
    const old = pkg('old');
    old.node = { ...old.node, deprecated: 'use new' };
    const tagged = pkg('tagged');
    const w = world([old, tagged], {
      declared: [
        { name: 'old', range: '^1.0.0' },
        { name: 'tagged', range: 'next' },
      ],
      caps: { ...DEFAULT_SIZE_CAPS, warnTotalBytes: 1 },
    });
    const { warnings } = await runInstallPipeline(w.deps);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe('old@^1.0.0 installs 1.0.0, which is deprecated: "use new"; declare a range that avoids it (spk packages set old@<range>)');
    expect(warnings[1]).toBe('tagged@next: the tag next pointed to 1.0.0 at this install; declare a range to control upgrades');
    expect(warnings[2]).toMatch(/over the warning threshold/);
  });
});
