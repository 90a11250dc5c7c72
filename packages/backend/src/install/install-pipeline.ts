// One install, start to commit: resolve -> fetch what is new -> check caps -> publish -> build the
// manifest. Side effects come in as deps; nothing is published before every check has passed.
import { computeLockfileHash, SpkError, type InstallProgress, type Manifest, type SizeCaps } from '@spk/common';
import type { BlobStore } from '../blob-stores/blob-store.ts';
import { verifyBlob } from '../blob-stores/blob-store.ts';
import { checkSizeCaps } from './size-caps.ts';
import { mapConcurrent } from '@spk/reconciler';
import type { FetchedTarball } from './fetch-tarballs.ts';
import type { ResolvedNode } from './resolve-tree.ts';

export interface PipelineDeps {
  resolve(): Promise<ResolvedNode[]>;
  fetch(node: ResolvedNode): Promise<FetchedTarball>;
  /** Sizes of blobs already published, by integrity. */
  indexedSizes(integrities: string[]): Promise<Map<string, number>>;
  store: BlobStore;
  recordBlob(entry: { integrity: string; size: number; storeId: string }): Promise<void>;
  caps: SizeCaps;
  progress(p: InstallProgress): Promise<void>;
  concurrency: number;
}

export interface PipelineResult {
  lockfileHash: string;
  manifest: Manifest;
  totalSize: number;
  warnings: string[];
  published: number;
  timings: { resolveMs: number; fetchMs: number; publishMs: number };
}

export async function runInstallPipeline(deps: PipelineDeps): Promise<PipelineResult> {
  const t0 = performance.now();
  await deps.progress({ phase: 'resolving', done: 0, total: 0 });
  const nodes = await deps.resolve();
  const t1 = performance.now();

  const known = await deps.indexedSizes(nodes.flatMap((n) => (n.sha512 ? [n.sha512] : [])));
  const toFetch = nodes.filter((n) => !n.sha512 || !known.has(n.sha512));
  const fetched = new Map<string, FetchedTarball>();
  let done = 0;
  await deps.progress({ phase: 'fetching', done, total: toFetch.length });
  const fetchedByPath = new Map<string, string>();
  await mapConcurrent(toFetch, deps.concurrency, async (node) => {
    const tarball = await deps.fetch(node);
    verifyBlob(tarball.integrity, tarball.bytes, `${node.name}@${node.version}`);
    if (node.sha512 && node.sha512 !== tarball.integrity) {
      throw new SpkError('INTEGRITY_MISMATCH', `${node.name}@${node.version}: the tarball does not match the integrity the registry published; refusing it`);
    }
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
    };
  });

  await deps.progress({ phase: 'checking', done: 0, total: manifest.length });
  const warnings = checkSizeCaps(manifest, deps.caps);

  const t2 = performance.now();
  const toPublish = [...fetched.values()];
  let published = 0;
  done = 0;
  await deps.progress({ phase: 'publishing', done, total: toPublish.length });
  await mapConcurrent(toPublish, deps.concurrency, async (blob) => {
    const { written } = await deps.store.put(blob.integrity, blob.bytes);
    if (written) published++;
    await deps.recordBlob({ integrity: blob.integrity, size: blob.bytes.byteLength, storeId: deps.store.id });
    await deps.progress({ phase: 'publishing', done: ++done, total: toPublish.length });
  });

  const totalSize = [...new Map(manifest.map((e) => [e.integrity, e.size])).values()].reduce((a, b) => a + b, 0);
  const timings = { resolveMs: t1 - t0, fetchMs: t2 - t1, publishMs: performance.now() - t2 };
  return { lockfileHash: await computeLockfileHash(manifest), manifest, totalSize, warnings, published, timings };
}
