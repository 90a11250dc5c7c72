// A core instance is also a host: it converges its own tree to the durable desired state at
// start, on `changed` hooks and on every poll tick, in coalesced rounds (convergence-rounds.ts),
// reading blobs straight from the blob store, retries a failed reconcile with backoff, reports its
// status for `hosts.status` at least once per poll interval,
// wakes callers waiting for a tree, runs scripts against the tree it has, and collects its retired
// trees (after every reconcile that moved `current`, every treeGc interval and on demand).
import { createReconciler, DEFAULT_RUN_SETTINGS, type Reconciler } from '@spk/reconciler';
import {
  DEFAULT_TREE_GC_GRACE_MS,
  DEFAULT_TREE_GC_INTERVAL_MS,
  SCRIPT_PACKAGES_CHANGED,
  SpkError,
  type FsckResult,
  type RunResult,
  type TreeCollection,
  type RunScriptInput,
  type WaitConvergedResult,
} from '@spk/common';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import { missingBlobError } from '../blob-stores/missing-blob.ts';
import { readPublishedBlob } from '../blob-stores/published-blob.ts';
import { describeError, publicErrorMessage } from '../errors/driver-error.ts';
import { createConvergenceRounds } from './convergence-rounds.ts';
import { createConvergenceWaiters } from './convergence-waiters.ts';
import { createCoreScriptRuns, type RunCaller, type ScriptRunOptions } from './core-script-runs.ts';
import { DEFAULT_FIRST_RETRY_MS } from './retry-policy.ts';
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
  /** How often to compare the desired hash with the local tree (catching missed hooks) and report. */
  pollIntervalMs?: number;
  /** Wait before the first retry of a failed reconcile; doubles up to the poll interval. */
  firstRetryMs?: number;
  /** Limits and allowances of script runs on this instance. */
  runs?: ScriptRunOptions;
  /** Allowed lifecycle scripts: each script's timeout; they run as the script runs' user. */
  installScripts?: { timeoutMs?: number };
  /** Tree GC: a retired tree is deleted once retired `graceMs` and unpinned; a pass runs after each reconcile and every `intervalMs`. */
  treeGc?: { graceMs: number; intervalMs: number };
  /** Integrities of the kept history: their cached blobs and extracted packages are kept. */
  retainedIntegrities?: () => Promise<ReadonlySet<string>>;
}

export const DEFAULT_POLL_INTERVAL_MS = 30_000;

export function createCoreHost(deps: CoreHostDeps) {
  const log = deps.logger.child({ component: 'core-host', hostId: deps.hostId });
  const treeGc = { graceMs: deps.treeGc?.graceMs ?? DEFAULT_TREE_GC_GRACE_MS, intervalMs: deps.treeGc?.intervalMs ?? DEFAULT_TREE_GC_INTERVAL_MS };
  /** Pass errors are shown by gc.run and hosts.status: a database error's own message is not. */
  async function retainedIntegrities(): Promise<ReadonlySet<string> | null> {
    if (!deps.retainedIntegrities) return null;
    try {
      return await deps.retainedIntegrities();
    } catch (error) {
      log.error(describeError(error), 'tree GC could not read the kept history');
      throw new Error(publicErrorMessage(error, 'reading the kept history failed'), { cause: error });
    }
  }
  const reconciler: Reconciler = createReconciler({
    dataDir: deps.dataDir,
    async fetchBlob(integrity) {
      // Verified on read: damaged stored bytes throw INTEGRITY_MISMATCH here, before any cache sees them.
      const bytes = await readPublishedBlob(deps, integrity);
      if (!bytes) {
        throw await missingBlobError(deps, integrity);
      }
      return bytes;
    },
    installScripts: { ...deps.installScripts, ...(deps.runs?.runAsUser ? { runAsUser: deps.runs.runAsUser } : {}) },
    // A pin older than the longest run this instance allows belongs to no run any more.
    treeGc: { graceMs: treeGc.graceMs, runTimeoutMs: deps.runs?.settings?.maxTimeoutMs ?? DEFAULT_RUN_SETTINGS.maxTimeoutMs, retainedIntegrities },
    logger: {
      info: (message, fields) => log.info(fields ?? {}, message),
      error: (message, fields) => log.error(fields ?? {}, message),
    },
  });
  const runs = createCoreScriptRuns({ dataDir: deps.dataDir, state: deps.state, logger: deps.logger, ...(deps.runs ? { options: deps.runs } : {}) });
  let unsubscribe: (() => void) | null = null;
  let poller: NodeJS.Timeout | null = null;
  let gcTimer: NodeJS.Timeout | null = null;
  /** The timer's pass in progress, awaited by stop(). */
  let gcPass: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const pollIntervalMs = deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const waiters = createConvergenceWaiters();
  const rounds = createConvergenceRounds({
    hostId: deps.hostId,
    state: deps.state,
    reconciler,
    hostStatus: deps.hostStatus,
    waiters,
    clock: deps.clock,
    log,
    retryPolicy: { initialMs: Math.min(deps.firstRetryMs ?? DEFAULT_FIRST_RETRY_MS, pollIntervalMs), maxMs: pollIntervalMs },
  });

  /** A tree GC pass now (after any reconcile in progress); what failed is in its errors, never thrown. */
  async function collectTrees(): Promise<TreeCollection> {
    const collection = await reconciler.collect();
    if (collection.errors.length > 0) log.warn({ errors: collection.errors }, 'tree GC pass finished with errors');
    // hosts.status shows the new disk usage without waiting for the next poll.
    if (!stopped) void rounds.schedule('poll');
    return collection;
  }

  /** Waits until this host's tree is at `lockfileHash`; NOT_CONVERGED, naming both hashes, past `timeoutMs`. */
  async function waitConverged(lockfileHash: string, timeoutMs: number): Promise<WaitConvergedResult> {
    const started = performance.now();
    // Registered before looking, so a reconcile that lands in between still wakes it.
    const wait = waiters.wait(lockfileHash, timeoutMs);
    if ((await reconciler.currentHash()) === lockfileHash) wait.settle();
    const outcome = await wait.outcome;
    const waitedMs = Math.round(performance.now() - started);
    if (outcome === 'reached') return { hostId: deps.hostId, lockfileHash, waitedMs };
    throw await notConvergedError(lockfileHash, outcome === 'stopped' ? null : timeoutMs);
  }

  async function notConvergedError(wanted: string, timeoutMs: number | null): Promise<SpkError> {
    const [current, desired] = await Promise.all([reconciler.currentHash(), deps.state.readDesiredHash().catch(() => null)]);
    const lastError = rounds.lastError();
    const details = { hostId: deps.hostId, wantedHash: wanted, currentHash: current, desiredHash: desired, lastError };
    const runs = current === null ? 'has no tree yet' : `runs ${current}`;
    if (timeoutMs === null) {
      return new SpkError('NOT_CONVERGED', `host ${deps.hostId} is shutting down before it ran ${wanted} (it ${runs}); ask again, another instance may answer`, details);
    }
    const why = [
      lastError ? `its last reconcile failed: ${lastError}` : null,
      desired !== null && desired !== wanted ? `the desired state is now ${desired}, not ${wanted}` : null,
    ].filter(Boolean);
    return new SpkError(
      'NOT_CONVERGED',
      `host ${deps.hostId} still ${runs}, not ${wanted}, after ${formatSeconds(timeoutMs)}${why.length ? ` (${why.join('; ')})` : ''}; ` +
        'check "spk status" for each host\'s tree and last error, and the server log; wait longer to let a large tree finish',
      details,
    );
  }

  return {
    hostId: deps.hostId,
    currentHash: () => reconciler.currentHash(),
    /** Starts converging in the background; returns the first convergence's promise. */
    start(): Promise<void> {
      stopped = false;
      rounds.start();
      unsubscribe = deps.hooks.on(SCRIPT_PACKAGES_CHANGED, (payload) => rounds.changed(payload.lockfileHash));
      // Every tick reports, even with nothing to do: a host missing STALE_AFTER_POLL_INTERVALS ticks shows as stale.
      poller = setInterval(() => void rounds.schedule('poll'), pollIntervalMs).unref();
      gcTimer = setInterval(() => (gcPass = collectTrees()), treeGc.intervalMs).unref();
      const first = rounds.schedule('start');
      // A first pass once converged: what an earlier process retired may be past its grace already.
      gcPass = first.then(() => (stopped ? undefined : collectTrees()));
      return first;
    },
    async stop(): Promise<void> {
      stopped = true;
      unsubscribe?.();
      rounds.stop();
      if (poller) clearInterval(poller);
      if (gcTimer) clearInterval(gcTimer);
      waiters.stopAll();
      await Promise.all([rounds.idle(), gcPass]);
      // The GC pass a last reconcile queued writes the data dir: let it finish.
      await reconciler.idle();
    },
    /** Settles once no convergence round runs and none waits. */
    idle: () => rounds.idle(),
    waitConverged,

    /** Reaps script runs a crashed predecessor left, and checks the run user; call before serving. */
    prepareRuns: () => runs.prepare(),
    /** With `waitForConvergenceMs`, first waits (up to that long) for this host to run the desired tree. */
    async run(input: Required<RunScriptInput>, caller: RunCaller, options: { waitForConvergenceMs?: number | undefined } = {}): Promise<RunResult> {
      const desired = options.waitForConvergenceMs ? await deps.state.readDesiredHash() : null;
      if (desired !== null && options.waitForConvergenceMs) {
        try {
          await waitConverged(desired, options.waitForConvergenceMs);
        } catch (error) {
          log.warn({ principalId: caller.principalId, lockfileHash: desired, outcome: 'NOT_CONVERGED' }, 'script run refused');
          throw error;
        }
      }
      return runs.run(input, caller);
    },

    /** Tree GC of this host now: retired trees past the grace that no live run pins, and cache entries nothing needs. */
    collectTrees,

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

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

export type CoreHost = ReturnType<typeof createCoreHost>;
