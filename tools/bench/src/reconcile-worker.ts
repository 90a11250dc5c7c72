// Child process of bench:reconcile: builds a reconciler on the data dir it is given and runs one
// reconcile, timed inside this process (node and module start-up are not in `ms`), and reports
// the reconcile's peak RSS (the high-water mark reset just before it) and the RSS before it.
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { DesiredState } from '@spk/common';
import { createReconciler, mapConcurrent, type FetchBlob, type TreeLayout } from '@spk/reconciler';
import { peakRssMiB, resetPeakRss } from './peak-rss.ts';
import { serveRequests } from './worker-process.ts';

export interface ReconcileJob {
  dataDir: string;
  treeLayout: TreeLayout;
  desired: DesiredState;
  /** `memory`: files read into memory before the clock starts; `http`: fetched while reconciling. */
  blobs: { kind: 'memory' | 'http'; locations: Record<string, string> };
}

export interface ReconcileReply {
  ms: number;
  peakRssMiB: number;
  /** RSS with the code loaded and the blobs in memory, before the reconcile. */
  baselineRssMiB: number;
}

async function blobFetcher(blobs: ReconcileJob['blobs']): Promise<FetchBlob> {
  const location = (integrity: string) => {
    const where = blobs.locations[integrity];
    if (!where) throw new Error(`the bench gave no location for ${integrity}`);
    return where;
  };
  if (blobs.kind === 'http') {
    return async (integrity) => {
      const res = await fetch(location(integrity));
      if (!res.ok || !res.body) throw new Error(`GET ${location(integrity)}: ${res.status}`);
      return Readable.fromWeb(res.body as ReadableStream<Uint8Array>);
    };
  }
  const inMemory = new Map<string, Uint8Array>();
  await mapConcurrent(Object.keys(blobs.locations), 8, async (integrity) => void inMemory.set(integrity, await readFile(location(integrity))));
  return (integrity) => {
    const bytes = inMemory.get(integrity);
    if (!bytes) throw new Error(`the bench gave no blob for ${integrity}`);
    return bytes;
  };
}

async function reconcileOnce(job: ReconcileJob): Promise<ReconcileReply> {
  const fetchBlob = await blobFetcher(job.blobs);
  const reconciler = createReconciler({ dataDir: job.dataDir, fetchBlob, treeLayout: job.treeLayout });
  await resetPeakRss();
  const baselineRssMiB = process.memoryUsage.rss() / 2 ** 20;
  const start = performance.now();
  await reconciler.reconcile(job.desired);
  const ms = performance.now() - start;
  const peak = await peakRssMiB();
  await reconciler.idle();
  return { ms, peakRssMiB: peak, baselineRssMiB };
}

serveRequests(async (message) => {
  if (message.type !== 'reconcile') throw new Error(`unknown request ${String(message.type)}`);
  return reconcileOnce(message.job as ReconcileJob);
});
