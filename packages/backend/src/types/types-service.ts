// What the types route and the oRPC procedures serve: the index of importable packages and each
// package's declaration closure, for the tree this instance runs. A closure is computed once per
// (hash, package), shared by concurrent requests, kept on disk (a restart serves it as it was) and
// in a small memory cache; cache dirs of older hashes go once a new hash is served.
import path from 'node:path';
import {
  DEFAULT_TYPES_MAX_BYTES,
  isSpkError,
  NODE_TYPES_PACKAGE,
  SpkError,
  type Manifest,
  type TypeClosure,
  type TypesIndex,
  type TypesIndexEntry,
} from '@spk/common';
import { dataLayout, limitConcurrency } from '@spk/reconciler';
import { describeError } from '../errors/driver-error.ts';
import { createByteBoundedLru } from '../http/byte-bounded-lru.ts';
import type { Logger } from '../services.ts';
import { closureVariant, createClosureCache, etagOf, type ClosureMeta } from './closure-cache.ts';
import { byCodeUnit } from './code-unit-order.ts';
import { CLOSURE_FORMAT_VERSION, computeTypeClosure, type TypeClosureOptions } from './type-closure.ts';

export interface TypesServiceDeps {
  /** The host's data dir (trees under <dataDir>/trees/<hash>, see packages/reconciler/src/data-layout.ts). */
  dataDir: string;
  /** The hash of the tree this instance runs now; null before its first tree. */
  currentHash(): Promise<string | null>;
  /** The committed manifest for a hash. */
  readManifest(lockfileHash: string): Promise<Manifest | null>;
  /** Ceiling of one closure's content (default DEFAULT_TYPES_MAX_BYTES). */
  maxBytes?: number;
  logger: Logger;
  /** Computes one closure (default computeTypeClosure); tests count calls through it. */
  compute?: (options: TypeClosureOptions) => Promise<TypeClosure>;
}

export interface Served<T> {
  /** The answer; for a closure parsed from `body` on each read (the memory cache keeps only the body). */
  readonly value: T;
  body: string;
  /** Quoted strong entity-tag, derived from the body's sha256. */
  etag: string;
  /** Index: every closure size known; closure: always true. */
  complete: boolean;
}

export interface TypesService {
  index(lockfileHash?: string): Promise<Served<TypesIndex>>;
  closure(lockfileHash: string, name: string): Promise<Served<TypeClosure>>;
}

/** Bytes of served closures kept in memory, so a hot closure is not read, checked and parsed again per request. */
const MEMORY_CACHE_BYTES = 64 * 1024 * 1024;
/** Closures computed at once: each reads many files and may hold up to `maxBytes`. */
const COMPUTE_CONCURRENCY = 4;
const TOP_LEVEL = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/;

const short = (hash: string) => hash.slice(0, 12);

/**
 * Where a hash's tree is and what its files may link into (the extracted store, for a
 * linked-packages tree), as packages/reconciler/src/data-layout.ts lays out a data dir.
 */
function treePaths(dataDir: string, lockfileHash: string): { treeDir: string; allowedRoots: string[] } {
  const layout = dataLayout(dataDir);
  const treeDir = layout.treeDir(lockfileHash);
  return { treeDir, allowedRoots: [treeDir, layout.extractedDir] };
}

/** A closure as kept in memory: its body (a valid TypeClosure's JSON) and ETag, nothing parsed. */
interface HeldClosure {
  body: string;
  etag: string;
}

/** Memory an entry holds: V8 keeps a string of Latin-1 text (most .d.ts files) at one byte a character, others at two. */
function heldBytes(held: HeldClosure): number {
  const perChar = /[^\u0000-\u00ff]/.test(held.body) ? 2 : 1;
  return perChar * held.body.length + held.etag.length;
}

function serveClosure(held: HeldClosure): Served<TypeClosure> {
  return {
    get value() {
      return JSON.parse(held.body) as TypeClosure;
    },
    body: held.body,
    etag: held.etag,
    complete: true,
  };
}

function serveIndex(value: TypesIndex, complete: boolean): Served<TypesIndex> {
  const body = JSON.stringify(value);
  return { value, body, etag: etagOf(body), complete };
}

export function createTypesService(deps: TypesServiceDeps): TypesService {
  const dataDir = path.resolve(deps.dataDir);
  const compute = deps.compute ?? computeTypeClosure;
  const maxBytes = deps.maxBytes ?? DEFAULT_TYPES_MAX_BYTES;
  const cache = createClosureCache(path.join(dataDir, 'types'), closureVariant(CLOSURE_FORMAT_VERSION, maxBytes));
  const logger = deps.logger.child({ component: 'types' });
  const memory = createByteBoundedLru<HeldClosure>({ maxBytes: MEMORY_CACHE_BYTES, maxEntryBytes: MEMORY_CACHE_BYTES / 4 });
  const metas = new Map<string, ClosureMeta>();
  const inFlight = new Map<string, Promise<HeldClosure>>();
  const gate = limitConcurrency(COMPUTE_CONCURRENCY);
  let pruning: { hash: string; done: Promise<void> } | null = null;
  // A hash's manifest never changes: read once, kept for the current hash only.
  let manifestOf: { hash: string; manifest: Manifest } | null = null;

  /** The first time a hash is served, other hashes' closures are of no more use here. */
  function pruneFor(hash: string): Promise<void> {
    if (pruning?.hash !== hash) {
      for (const key of [...memory.keys(), ...metas.keys()]) {
        if (!key.startsWith(`${hash}\0`)) {
          memory.delete(key);
          metas.delete(key);
        }
      }
      const done = cache.prune(hash).then(
        (failures) => {
          for (const { path: target, error } of failures) logger.warn({ ...describeError(error), path: target }, 'could not remove an old type-closure cache dir');
        },
        (error: unknown) => logger.warn(describeError(error), 'could not prune the type-closure cache'),
      );
      pruning = { hash, done };
    }
    return pruning.done;
  }

  /** The current hash, checked against the one asked for; prunes other hashes' caches on its first use. */
  async function currentFor(asked: string | undefined): Promise<{ hash: string; manifest: Manifest }> {
    const current = await deps.currentHash();
    if (asked !== undefined && asked !== current) {
      throw new SpkError(
        'STALE_LOCKFILE_HASH',
        `stale lockfile hash ${short(asked)}: this instance runs ${current === null ? 'nothing' : short(current)}; refetch the install state (or GET /types) and use the current hash`,
        { lockfileHash: asked, currentHash: current },
      );
    }
    if (current === null) {
      throw new SpkError('NO_DESIRED_STATE', 'this instance has no installed tree yet, so it has no types to serve; install packages ("spk install") and retry once this host has converged');
    }
    await pruneFor(current);
    if (manifestOf?.hash !== current) {
      const manifest = await deps.readManifest(current);
      if (manifest === null) {
        throw new SpkError('NO_DESIRED_STATE', `no committed manifest for tree ${short(current)}, the tree this instance runs; run "spk install" and retry once this host has converged`);
      }
      manifestOf = { hash: current, manifest };
    }
    return manifestOf;
  }

  /** Importable name -> version of the manifest's top-level entries. */
  function topLevel(manifest: Manifest): Map<string, string> {
    const out = new Map<string, string>();
    for (const entry of manifest) {
      const name = TOP_LEVEL.exec(entry.path)?.[1];
      if (name !== undefined) out.set(name, entry.version);
    }
    return out;
  }

  async function knownMeta(hash: string, name: string): Promise<ClosureMeta | null> {
    const key = `${hash}\0${name}`;
    const known = metas.get(key);
    if (known) return known;
    const meta = await cache.readMeta(hash, name);
    if (meta) metas.set(key, meta);
    return meta;
  }

  /** Computes a closure; a package the manifest lists but the tree lacks is this instance's fault, said without its paths. */
  async function computeFor(hash: string, name: string): Promise<TypeClosure> {
    const { treeDir, allowedRoots } = treePaths(dataDir, hash);
    try {
      return await gate(() => compute({ treeDir, name, maxBytes, allowedRoots }));
    } catch (error) {
      if (!isSpkError(error, 'NOT_FOUND')) throw error;
      logger.error({ lockfileHash: hash, name, path: path.join(treeDir, 'node_modules', name) }, 'the tree lacks a package its manifest lists');
      throw new SpkError('INTERNAL', `this instance's tree for ${short(hash)} lacks ${name}; run "spk hosts fsck --repair" on this host`, { lockfileHash: hash, name });
    }
  }

  async function load(hash: string, name: string): Promise<HeldClosure> {
    const stored = await cache.read(hash, name);
    if (stored !== null) return { body: stored.body, etag: stored.meta.etag };
    const started = performance.now();
    const value = await computeFor(hash, name);
    const body = JSON.stringify(value);
    const held = { body, etag: etagOf(body) };
    const meta = { etag: held.etag, bytes: value.bytes, files: value.files.length };
    logger.info({ lockfileHash: hash, name, files: meta.files, bytes: meta.bytes, truncated: value.truncated, ms: Math.round(performance.now() - started) }, 'computed a type closure');
    // A computation that outlived its hash is answered but not stored: pruning may already have passed.
    if ((await deps.currentHash()) === hash) {
      try {
        await cache.write(hash, name, body, meta);
      } catch (error) {
        logger.error({ ...describeError(error), lockfileHash: hash, name }, 'could not store a type closure; it will be computed again on the next request');
      }
    }
    metas.set(`${hash}\0${name}`, meta);
    return held;
  }

  return {
    async index(lockfileHash) {
      const { hash, manifest } = await currentFor(lockfileHash);
      const names = topLevel(manifest);
      const importable = [...names].filter(([name]) => !name.startsWith('@types/')).sort(([a], [b]) => byCodeUnit(a, b));
      const packages: TypesIndexEntry[] = await Promise.all(
        importable.map(async ([name, version]) => {
          const meta = await knownMeta(hash, name);
          return { name, version, closureBytes: meta?.bytes ?? null, closureFiles: meta?.files ?? null };
        }),
      );
      const nodeVersion = names.get(NODE_TYPES_PACKAGE);
      const value: TypesIndex = {
        lockfileHash: hash,
        packages,
        nodeTypes: nodeVersion === undefined ? null : { name: NODE_TYPES_PACKAGE, version: nodeVersion },
      };
      return serveIndex(value, packages.every((entry) => entry.closureBytes !== null));
    },

    async closure(lockfileHash, name) {
      const { hash, manifest } = await currentFor(lockfileHash);
      if (!topLevel(manifest).has(name)) {
        throw new SpkError('NOT_FOUND', `${name} is not installed in tree ${short(hash)}; declare it with "spk packages add ${name}" and install`, { name, lockfileHash: hash });
      }
      const key = `${hash}\0${name}`;
      const remembered = memory.get(key);
      if (remembered) return serveClosure(remembered);
      let pending = inFlight.get(key);
      if (!pending) {
        // A failure is not remembered: the next request tries again.
        pending = load(hash, name)
          .then((held) => {
            memory.set(key, held, heldBytes(held));
            return held;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return serveClosure(await pending);
    },
  };
}
