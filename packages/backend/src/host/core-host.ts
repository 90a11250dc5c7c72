// A core instance is also a host: it converges its own tree to the durable desired state at
// start and on every `changed` hook, reading blobs straight from the blob store, records its
// status for `hosts.status`, and runs scripts against the tree it has.
import { createReconciler, runScript, type Reconciler } from '@spk/reconciler';
import { SCRIPT_PACKAGES_CHANGED, SpkError, type RunResult, type RunScriptInput } from '@spk/common';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
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
}

export const DEFAULT_POLL_INTERVAL_MS = 30_000;

export function createCoreHost(deps: CoreHostDeps) {
  const log = deps.logger.child({ component: 'core-host', hostId: deps.hostId });
  const reconciler: Reconciler = createReconciler({
    dataDir: deps.dataDir,
    async fetchBlob(integrity) {
      const entry = await deps.blobIndex.get(integrity);
      const bytes = entry ? await deps.blobStores.get(entry.storeId).get(integrity) : null;
      if (!bytes) throw new SpkError('BLOB_MISSING', `blob ${integrity} is in the manifest but not in any blob store; run the install again`);
      return bytes;
    },
    logger: {
      info: (message, fields) => log.info(fields ?? {}, message),
      error: (message, fields) => log.error(fields ?? {}, message),
    },
  });
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
      const message = (error as Error).message;
      log.error({ code: (error as SpkError).code ?? 'INTERNAL' }, `reconcile failed: ${message}`);
      await report(await reconciler.currentHash(), message);
    }
  }

  const schedule = () => {
    pending = pending.then(sync).catch((error: unknown) => log.error({ code: (error as SpkError).code ?? 'INTERNAL' }, 'host status could not be recorded'));
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
          .catch((error: unknown) => log.warn({ code: (error as SpkError).code ?? 'INTERNAL' }, 'desired-state poll failed'));
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

    async run(input: Required<RunScriptInput>): Promise<RunResult> {
      const expectedHash = await deps.state.readDesiredHash();
      if (!expectedHash) throw new SpkError('NO_DESIRED_STATE', 'nothing has been installed yet; declare packages and run "spk install --wait" first');
      return runScript({ dataDir: deps.dataDir, expectedHash, ...input });
    },
  };
}

export type CoreHost = ReturnType<typeof createCoreHost>;
