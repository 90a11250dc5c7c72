// Our reconcile measures for one tree layout: cold (fresh data dir, empty cache), warm (the same
// data dir with its trees removed: a new tree from a full cache) and delta (set B, one package
// changed), each one reconcile in its own worker process. A round's three samples share its data dir.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { DesiredState } from '@spk/common';
import { dataLayout, type TreeLayout } from '@spk/reconciler';
import type { Measure, Sample } from './bench-rounds.ts';
import { moveAside } from './move-aside.ts';
import type { ReconcileJob, ReconcileReply } from './reconcile-worker.ts';
import { startWorker } from './worker-process.ts';

const WORKER = path.join(import.meta.dirname, 'reconcile-worker.ts');

export interface ReconcileSetup {
  /** Scratch directory for the hosts' data dirs. */
  work: string;
  a: DesiredState;
  /** Set A with one dependency-free package at another version. */
  b: DesiredState;
  blobs: ReconcileJob['blobs'];
  /** Every worker's RSS before its reconcile, for the footnote. */
  baselines: number[];
}

export interface LayoutIds {
  cold: string;
  warm: string;
  delta: string;
}

async function reconcileInWorker(setup: ReconcileSetup, job: Omit<ReconcileJob, 'blobs'>): Promise<Sample> {
  const worker = startWorker(WORKER);
  try {
    const reply = await worker.request<ReconcileReply>({ type: 'reconcile', job: { ...job, blobs: setup.blobs } });
    setup.baselines.push(reply.baselineRssMiB);
    return { ms: reply.ms, peakRssMiB: reply.peakRssMiB };
  } finally {
    await worker.close();
  }
}

export function reconcileMeasures(setup: ReconcileSetup, treeLayout: TreeLayout, ids: LayoutIds, references: { cold?: string; warm?: string }): Measure[] {
  const what = treeLayout === 'hardlinked' ? 'reconcile' : treeLayout;
  let round = 0;
  let dataDir: string | undefined;
  const roundDir = () => {
    if (!dataDir) throw new Error(`${ids.warm} and ${ids.delta} run after ${ids.cold} in a round`);
    return dataDir;
  };
  return [
    {
      id: ids.cold,
      label: `${what} cold, empty cache*`,
      ...(references.cold ? { reference: references.cold } : {}),
      async sample() {
        if (dataDir) await moveAside(dataDir);
        dataDir = path.join(setup.work, `host-${treeLayout}-${++round}`);
        return reconcileInWorker(setup, { dataDir, treeLayout, desired: setup.a });
      },
    },
    {
      id: ids.warm,
      label: `${what} warm, new tree, full cache*`,
      ...(references.warm ? { reference: references.warm } : {}),
      async sample() {
        const layout = dataLayout(roundDir());
        await moveAside(layout.treesDir);
        await rm(layout.currentLink, { force: true });
        return reconcileInWorker(setup, { dataDir: roundDir(), treeLayout, desired: setup.a });
      },
    },
    {
      id: ids.delta,
      label: `${what} one-package delta*`,
      reference: ids.warm,
      sample: () => reconcileInWorker(setup, { dataDir: roundDir(), treeLayout, desired: setup.b }),
    },
  ];
}
