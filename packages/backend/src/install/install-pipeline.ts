// One install, start to commit: resolve -> check every declared package is in the tree -> check
// what is published -> fetch what is new or damaged -> check each tarball (integrity, tar-entry
// policy) -> check caps -> publish -> build the manifest (which says whose install scripts hosts
// run) and the warnings. Side effects come in as deps; nothing is published before every check has passed.
import ssri from 'ssri';
import { computeLockfileHash, isSpkError, SpkError, type InstallProgress, type Manifest, type SizeCaps } from '@spk/common';
import { checkTarball, mapConcurrent } from '@spk/reconciler';
import type { BlobStore } from '../blob-stores/blob-store.ts';
import { checkDeclaredSet, type DeclaredEntry } from './declared-set-check.ts';
import { checkSizeCaps } from './size-caps.ts';
import type { ResolvedNode } from './resolve-tree.ts';
import { treeWarnings } from './tree-warnings.ts';

export interface PipelineDeps {
  /** The enabled declared packages: each must be at the top level of what `resolve` returns. */
  declared: readonly DeclaredEntry[];
  resolve(): Promise<ResolvedNode[]>;
  /** Names whose lifecycle scripts may run: their entries with install scripts are marked `scriptsAllowed`. */
  scriptsAllowed: ReadonlySet<string>;
  /** The tarball's bytes, as the registry serves them. */
  fetch(node: ResolvedNode): Promise<Uint8Array>;
  /** Sizes of blobs already published, by integrity. */
  indexedSizes(integrities: string[]): Promise<Map<string, number>>;
  /** Which published copies (of the indexed `size`) are present with bytes that still match (stored bytes can be damaged). */
  intactAmong(entries: Array<{ integrity: string; size: number }>): Promise<Set<string>>;
  /** Integrities the resolve will likely return (the last resolution's): their published copies are checked while it runs. */
  likely?(): Promise<string[]>;
  store: BlobStore;
  recordBlob(entry: { integrity: string; size: number; storeId: string }): Promise<void>;
  caps: SizeCaps;
  progress(p: InstallProgress): Promise<void>;
  concurrency: number;
  /** Aborted when the install must stop (its installer lease was lost): checked between steps, throws its reason. */
  signal?: AbortSignal;
}

export interface PipelineResult {
  lockfileHash: string;
  manifest: Manifest;
  totalSize: number;
  warnings: string[];
  published: number;
  timings: { resolveMs: number; fetchMs: number; publishMs: number };
}

interface FetchedTarball {
  integrity: string;
  bytes: Uint8Array;
}

/** Hashes the tarball once and holds it to every rule a host will apply before anything is published. */
async function checkFetched(node: ResolvedNode, bytes: Uint8Array): Promise<FetchedTarball> {
  const label = `${node.name}@${node.version}`;
  const integrity = ssri.fromData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { algorithms: ['sha512'] }).toString();
  if (node.sha512 && node.sha512 !== integrity) {
    throw new SpkError('INTEGRITY_MISMATCH', `${label}: the tarball does not match the integrity the registry published; refusing it, nothing was published`, {
      package: label,
      expected: node.sha512,
      actual: integrity,
    });
  }
  try {
    await checkTarball({ bytes, label });
  } catch (error) {
    if (!isSpkError(error, 'UNSAFE_TARBALL')) throw error;
    throw new SpkError(
      'UNSAFE_TARBALL',
      `${error.message}; no host would extract it, so nothing was published and the previous desired state stays; remove ${node.name} (or the package depending on it) or pin another version`,
      error.details,
      { cause: error },
    );
  }
  return { integrity, bytes };
}

/** The published blobs among `integrities` whose stored copies are intact, with their sizes. */
async function publishedIntact(deps: PipelineDeps, integrities: string[]): Promise<Map<string, number>> {
  if (integrities.length === 0) return new Map();
  const known = await deps.indexedSizes(integrities);
  const intact = await deps.intactAmong([...known].map(([integrity, size]) => ({ integrity, size })));
  for (const integrity of [...known.keys()]) if (!intact.has(integrity)) known.delete(integrity);
  return known;
}

export async function runInstallPipeline(deps: PipelineDeps): Promise<PipelineResult> {
  const t0 = performance.now();
  await deps.progress({ phase: 'resolving', done: 0, total: 0 });
  // Published blobs count as published only while intact (a damaged one is fetched and put again);
  // those of the likely result are checked while the resolve runs.
  const early = deps.likely?.().then(async (likely) => ({ asked: new Set(likely), known: await publishedIntact(deps, likely) }));
  // Awaited below; should the resolve fail first, its outcome no longer matters.
  early?.catch(() => undefined);
  const nodes = await deps.resolve();
  deps.signal?.throwIfAborted();
  checkDeclaredSet(deps.declared, nodes);
  const t1 = performance.now();

  const wanted = nodes.flatMap((n) => (n.sha512 ? [n.sha512] : []));
  const checked = (await early) ?? { asked: new Set<string>(), known: new Map<string, number>() };
  const late = await publishedIntact(
    deps,
    wanted.filter((integrity) => !checked.asked.has(integrity)),
  );
  deps.signal?.throwIfAborted();
  const known = new Map(wanted.flatMap((integrity) => {
    const size = checked.known.get(integrity) ?? late.get(integrity);
    return size === undefined ? [] : [[integrity, size] as const];
  }));
  const toFetch = nodes.filter((n) => !n.sha512 || !known.has(n.sha512));
  const fetched = new Map<string, FetchedTarball>();
  let done = 0;
  await deps.progress({ phase: 'fetching', done, total: toFetch.length });
  const fetchedByPath = new Map<string, string>();
  await mapConcurrent(toFetch, deps.concurrency, async (node) => {
    deps.signal?.throwIfAborted();
    const tarball = await checkFetched(node, await deps.fetch(node));
    fetched.set(tarball.integrity, tarball);
    fetchedByPath.set(node.path, tarball.integrity);
    await deps.progress({ phase: 'fetching', done: ++done, total: toFetch.length });
  });

  const manifest: Manifest = nodes.map((node) => {
    const integrity = node.sha512 && known.has(node.sha512) ? node.sha512 : fetchedByPath.get(node.path)!;
    const size = known.get(integrity) ?? fetched.get(integrity)!.bytes.byteLength;
    return {
      name: node.name,
      version: node.version,
      path: node.path,
      integrity,
      size,
      hasInstallScript: node.hasInstallScript,
      bin: node.bin,
      dependencies: node.dependencies,
      ...(node.addedForTypes ? { addedForTypes: true as const } : {}),
      // Part of the hashed manifest: allowing or disallowing a package's scripts makes a new tree.
      ...(node.hasInstallScript && deps.scriptsAllowed.has(node.name) ? { scriptsAllowed: true as const } : {}),
    };
  });

  await deps.progress({ phase: 'checking', done: 0, total: manifest.length });
  const warnings = [...treeWarnings(deps.declared, nodes), ...checkSizeCaps(manifest, deps.caps)];

  const t2 = performance.now();
  const toPublish = [...fetched.values()];
  let published = 0;
  done = 0;
  await deps.progress({ phase: 'publishing', done, total: toPublish.length });
  await mapConcurrent(toPublish, deps.concurrency, async (blob) => {
    deps.signal?.throwIfAborted();
    const { written } = await deps.store.put(blob.integrity, blob.bytes);
    if (written) published++;
    await deps.recordBlob({ integrity: blob.integrity, size: blob.bytes.byteLength, storeId: deps.store.id });
    await deps.progress({ phase: 'publishing', done: ++done, total: toPublish.length });
  });

  const totalSize = [...new Map(manifest.map((e) => [e.integrity, e.size])).values()].reduce((a, b) => a + b, 0);
  const timings = { resolveMs: t1 - t0, fetchMs: t2 - t1, publishMs: performance.now() - t2 };
  return { lockfileHash: await computeLockfileHash(manifest), manifest, totalSize, warnings, published, timings };
}
