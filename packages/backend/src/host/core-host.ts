// A core instance is also a host: it converges its own tree to the durable desired state at
// start and on every `changed` hook, reading blobs straight from the blob store, records its
// status for `hosts.status`, and runs scripts against the tree it has.
import { createReconciler, type Reconciler } from '@spk/reconciler';
import { SCRIPT_PACKAGES_CHANGED, SpkError, type FsckResult, type RunResult, type RunScriptInput } from '@spk/common';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { readPublishedBlob } from '../blob-stores/published-blob.ts';
import { describeError, publicErrorMessage } from '../errors/driver-error.ts';
import { createCoreScriptRuns, type RunCaller, type ScriptRunOptions } from './core-script-runs.ts';
import type { BlobIndexStore } from '../stores/blob-index-store.ts';
import type { HostStatusStore } from '../stores/host-status-store.ts';
import type { InstallStateStore } from '../stores/install-state-store.ts';
import type { Clock, HookBus, Logger } from '../services.ts';

export interface CoreHostDeps {
  hostId: string;
  dataDir: string;
  state: InstallStateStore;
  blobIndex: BlobIndexStore;
  blobStores: BlobStoreRegistry;
  hostStatus: HostStatusStore;
  hooks: HookBus;
  clock: Clock;
  logger: Logger;
  /** How often to compare the desired hash with the local tree, catching missed hooks. */
  pollIntervalMs?: number;
  /** Limits and allowances of script runs on this instance. */
  runs?: ScriptRunOptions;
}

export const DEFAULT_POLL_INTERVAL_MS = 30_000;

export function createCoreHost(deps: CoreHostDeps) {
  const log = deps.logger.child({ component: 'core-host', hostId: deps.hostId });
  const reconciler: Reconciler = createReconciler({
    dataDir: deps.dataDir,
    async fetchBlob(integrity) {
      // Verified on read: damaged stored bytes throw INTEGRITY_MISMATCH here, before any cache sees them.
      const bytes = await readPublishedBlob(deps, integrity);
      if (!bytes) {
        throw new SpkError('BLOB_MISSING', `blob ${integrity} is in the manifest but missing from the blob store; trigger an install, which fetches missing or damaged blobs from the registry again`);
      }
      return bytes;
    },
    logger: {
      info: (message, fields) => log.info(fields ?? {}, message),
      error: (message, fields) => log.error(fields ?? {}, message),
    },
  });
  const runs = createCoreScriptRuns({ dataDir: deps.dataDir, state: deps.state, logger: deps.logger, ...(deps.runs ? { options: deps.runs } : {}) });
  let unsubscribe: (() => void) | null = null;
  let poller: NodeJS.Timeout | null = null;
  let pending: Promise<void> = Promise.resolve();

  async function report(lockfileHash: string | null, lastError: string | null): Promise<void> {
    const at = deps.clock.now();
    await deps.hostStatus.report({ hostId: deps.hostId, kind: 'core', lockfileHash, convergedAt: lastError ? null : at, lastError, at });
  }

  /** Converges to the committed desired state; failures are recorded, never thrown. */
  async function sync(): Promise<void> {
    const desired = await deps.state.readDesired();
    if (!desired) return report(await reconciler.currentHash(), null);
    try {
      const result = await reconciler.request(desired);
      await report(result.lockfileHash, null);
    } catch (error) {
      // The log gets the driver's code and message; the stored status (shown by `hosts.status`) only
      // what is safe to show: a drizzle error's own message holds the SQL text and its parameters.
      log.error({ lockfileHash: desired.lockfileHash, ...describeError(error) }, 'reconcile failed');
      await report(await reconciler.currentHash(), publicErrorMessage(error, 'reconcile failed'));
    }
  }

  const schedule = () => {
    pending = pending.then(sync).catch((error: unknown) => log.error(describeError(error), 'host status could not be recorded'));
    return pending;
  };

  return {
    hostId: deps.hostId,
    currentHash: () => reconciler.currentHash(),
    /** Starts converging in the background; returns the first convergence's promise. */
    start(): Promise<void> {
      unsubscribe = deps.hooks.on(SCRIPT_PACKAGES_CHANGED, () => void schedule());
      poller = setInterval(() => {
        Promise.all([deps.state.readDesiredHash(), reconciler.currentHash()])
          .then(([desired, current]) => (desired && desired !== current ? schedule() : undefined))
          .catch((error: unknown) => log.warn(describeError(error), 'desired-state poll failed'));
      }, deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS).unref();
      return schedule();
    },
    async stop(): Promise<void> {
      unsubscribe?.();
      if (poller) clearInterval(poller);
      await pending;
    },
    /** Settles once every convergence scheduled so far has finished. */
    idle: () => pending,

    /** Reaps script runs a crashed predecessor left, and checks the run user; call before serving. */
    prepareRuns: () => runs.prepare(),
    run: (input: Required<RunScriptInput>, caller: RunCaller): Promise<RunResult> => runs.run(input, caller),

    /** Verifies this host's package store and trees against the verified blobs; `repair` rebuilds what differs. */
    async fsck(input: { repair: boolean }): Promise<FsckResult> {
      // The desired state names the manifest of the current tree when this host has converged.
      const report = await reconciler.fsck({ repair: input.repair, desired: await deps.state.readDesired() });
      if (report.damaged.length > 0) {
        const sample = report.damaged.slice(0, 20).map((found) => `${found.location} ${found.package} ${found.file || '.'}: ${found.kind}`);
        log.warn({ repair: input.repair, damaged: report.damaged.length, repaired: report.repaired, sample }, 'fsck found damage');
      }
      return { hostId: deps.hostId, ...report };
    },
  };
}

export type CoreHost = ReturnType<typeof createCoreHost>;
