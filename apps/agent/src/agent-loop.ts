// The satellite's control loop: converge to the core's desired state at start, then follow the
// push stream (reconnecting with backoff and jitter, polling while it is down, declaring it dead
// after 2.5 heartbeats of silence), report after every reconcile and on a heartbeat, and keep the
// last good tree whenever the core cannot be reached. Every side effect comes in through `deps`.
import type { AgentDesired, AgentReport, AgentReportResult, AgentWatchEvent, DesiredState, HostDisk } from '@spk/common';
import { createCoalescingQueue } from '@spk/reconciler';
import { backoffDelay, type BackoffPolicy } from './backoff.ts';
import { classifyFailure, safeErrorMessage, type FailureKind } from './error-kinds.ts';
import type { AgentLogger } from './logger.ts';

export interface PulledReconcile {
  lockfileHash: string;
  changed: boolean;
  pulled: { blobs: number; bytes: number };
}

export interface AgentLoopDeps {
  desired(): Promise<AgentDesired>;
  /** Opens the push stream; aborting `signal` must end it. */
  watch(signal: AbortSignal): Promise<AsyncIterable<AgentWatchEvent>>;
  report(report: AgentReport): Promise<AgentReportResult>;
  reconcile(desired: DesiredState): Promise<PulledReconcile>;
  currentHash(): Promise<string | null>;
  /** Trees and cache on disk as the last tree GC pass measured them (null before the first); sent with every report. */
  disk?(): HostDisk | null;
  logger: AgentLogger;
  random(): number;
  now(): Date;
}

export interface AgentLoopOptions {
  hostId: string | undefined;
  agentVersion: string;
  hostname: string;
  /** The core's heartbeat interval until its first event says (each event carries it); no event for 2.5 of them and the stream counts as dead. */
  heartbeatMs: number;
  /** Poll interval while the stream is down; undefined: the core's pollIntervalMs. */
  pollIntervalMs?: number;
  /** Until the core said otherwise. */
  initialCorePollMs?: number;
  /** Retrying a failed sync (core unreachable, bad blob, failed reconcile). */
  syncRetry?: BackoffPolicy;
  /** Reconnecting the push stream. */
  watchRetry?: BackoffPolicy;
  /** The core refused the token: retry this seldom, an operator has to act. */
  refusedRetryMs?: number;
}

export const DEAD_STREAM_HEARTBEATS = 2.5;
const DEFAULTS = {
  initialCorePollMs: 30_000,
  syncRetry: { baseMs: 1_000, maxMs: 60_000 },
  watchRetry: { baseMs: 1_000, maxMs: 30_000 },
  refusedRetryMs: 60_000,
};

export interface AgentStatus {
  lockfileHash: string | null;
  convergedAt: string | null;
  lastError: string | null;
  lastPull: { blobs: number; bytes: number } | null;
  streamConnected: boolean;
}

export function createAgentLoop(deps: AgentLoopDeps, options: AgentLoopOptions) {
  const { logger } = deps;
  const syncRetry = options.syncRetry ?? DEFAULTS.syncRetry;
  const watchRetry = options.watchRetry ?? DEFAULTS.watchRetry;
  const refusedRetryMs = options.refusedRetryMs ?? DEFAULTS.refusedRetryMs;
  let deadAfterMs = Math.round(options.heartbeatMs * DEAD_STREAM_HEARTBEATS);
  let corePollMs = options.initialCorePollMs ?? DEFAULTS.initialCorePollMs;
  const pollMs = () => options.pollIntervalMs ?? corePollMs;

  const status: AgentStatus = { lockfileHash: null, convergedAt: null, lastError: null, lastPull: null, streamConnected: false };
  const stopping = new AbortController();
  const timers = { retry: undefined as NodeJS.Timeout | undefined, poll: undefined as NodeJS.Timeout | undefined, heartbeat: undefined as NodeJS.Timeout | undefined };
  let failures = 0;
  /** A sync is under way (it may not have read the desired state yet). */
  let syncing = false;
  /** The hash the running sync reconciles to, so a push of that same hash does not queue another. */
  let inFlight: string | null = null;
  /** The hash the last failed sync reconciled to (null: it failed before knowing one). */
  let failedHash: string | null = null;
  let watchDone: Promise<void> = Promise.resolve();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done, { once: true });
    });

  function buildReport(): AgentReport {
    return {
      ...(options.hostId === undefined ? {} : { hostId: options.hostId }),
      lockfileHash: status.lockfileHash,
      convergedAt: status.convergedAt,
      lastError: status.lastError,
      agentVersion: options.agentVersion,
      hostname: options.hostname,
      lastPull: status.lastPull,
      ...(deps.disk ? { disk: deps.disk() } : {}),
    };
  }

  async function report(): Promise<void> {
    try {
      const answer = await deps.report(buildReport());
      corePollMs = answer.pollIntervalMs;
    } catch (error) {
      // A failed report changes nothing locally; the next report or sync says it again.
      logger.warn('report failed', { kind: classifyFailure(error), error: safeErrorMessage(error) });
    }
  }

  function logFailure(kind: FailureKind, error: unknown, retryInMs: number): void {
    const fields = { lockfileHash: status.lockfileHash, error: safeErrorMessage(error), retryInMs };
    if (kind === 'unreachable') logger.warn('core unreachable; keeping the last good tree', fields);
    else if (kind === 'unauthorized') {
      logger.error('the core refused the satellite token (revoked or wrong); keeping the last good tree. Create a new token with `spk satellites create <name>` and restart the agent with it', fields);
    } else if (kind === 'forbidden') {
      logger.error('the token is not a satellite token; keeping the last good tree. Give the agent a token from `spk satellites create <name>`', fields);
    } else logger.error('reconcile failed; keeping the last good tree', { ...fields, code: (error as { code?: unknown }).code });
  }

  async function syncOnce(): Promise<void> {
    try {
      const answer = await deps.desired();
      corePollMs = answer.pollIntervalMs;
      if (answer.desired) {
        inFlight = answer.desired.lockfileHash;
        const result = await deps.reconcile(answer.desired);
        const reached = status.lockfileHash !== result.lockfileHash || status.convergedAt === null;
        status.lockfileHash = result.lockfileHash;
        if (reached) {
          // What reaching this tree pulled: later no-op reconciles (polls, heartbeats) keep it.
          status.lastPull = result.pulled;
          status.convergedAt = deps.now().toISOString();
          logger.info('converged', { lockfileHash: result.lockfileHash, pulled: result.pulled });
        }
      }
      status.lastError = null;
      failedHash = null;
      failures = 0;
      clearTimeout(timers.retry);
      timers.retry = undefined;
    } catch (error) {
      const kind = classifyFailure(error);
      status.lastError = safeErrorMessage(error);
      failedHash = inFlight;
      const retryInMs = kind === 'unauthorized' || kind === 'forbidden' ? refusedRetryMs : backoffDelay(failures, syncRetry, deps.random);
      failures++;
      logFailure(kind, error, retryInMs);
      clearTimeout(timers.retry);
      if (!stopping.signal.aborted) timers.retry = setTimeout(() => void requestSync(), retryInMs);
      // Only a core that answered can take a report of what went wrong.
      if (kind !== 'other') return;
    } finally {
      inFlight = null;
    }
    await report();
  }

  /**
   * One sync at a time: every request while one runs (pushes, polls, a retry) shares one follow-up,
   * which asks the core for the desired state again, so a burst of pushes costs at most two syncs.
   */
  const syncs = createCoalescingQueue<void, void>(async () => {
    if (stopping.signal.aborted) return;
    syncing = true;
    try {
      await syncOnce();
    } finally {
      syncing = false;
    }
  });
  function requestSync(): Promise<void> {
    if (stopping.signal.aborted) return Promise.resolve();
    return syncs.request();
  }

  /** Polls every poll interval until the stream delivers again; a no-op while already polling. */
  function schedulePoll(): void {
    if (timers.poll !== undefined || stopping.signal.aborted || status.streamConnected) return;
    timers.poll = setTimeout(() => {
      timers.poll = undefined;
      void requestSync();
      schedulePoll();
    }, pollMs());
  }

  function stopPolling(): void {
    clearTimeout(timers.poll);
    timers.poll = undefined;
  }

  function scheduleHeartbeatReport(): void {
    clearTimeout(timers.heartbeat);
    if (stopping.signal.aborted) return;
    timers.heartbeat = setTimeout(() => {
      void report().finally(scheduleHeartbeatReport);
    }, corePollMs);
  }

  function onEvent(event: AgentWatchEvent, first: boolean): void {
    const hash = event.lockfileHash;
    if (hash === null || hash === inFlight) return;
    // The sync under way heads elsewhere, or read the desired state before this push: one follow-up
    // reads it again (even for the tree this agent still runs: the state may have gone there and back).
    if (syncing) return void requestSync();
    if (status.lastError === null || first) {
      // A stream that just came back may follow an outage that failed the last sync: try at once.
      if (hash !== status.lockfileHash || status.lastError !== null) void requestSync();
      return;
    }
    // A pending retry already covers the hash that failed (heartbeats repeat it: they must not
    // defeat the backoff); a new hash is worth trying at once anyway.
    if (hash !== failedHash && hash !== status.lockfileHash) void requestSync();
  }

  /** Reads one stream until it ends, fails, or stays silent too long. Returns whether it ever delivered. */
  async function followStream(): Promise<{ delivered: boolean; error: unknown }> {
    const stream = new AbortController();
    const stop = () => stream.abort(new Error('the agent is stopping'));
    stopping.signal.addEventListener('abort', stop, { once: true });
    let silence: NodeJS.Timeout | undefined;
    let delivered = false;
    let iterator: AsyncIterator<AgentWatchEvent> | undefined;
    const aborted = new Promise<never>((_, reject) => stream.signal.addEventListener('abort', () => reject(stream.signal.reason), { once: true }));
    aborted.catch(() => undefined);
    const armSilence = () => {
      clearTimeout(silence);
      silence = setTimeout(() => stream.abort(new Error(`no event from the core for ${deadAfterMs} ms`)), deadAfterMs);
    };
    try {
      armSilence();
      iterator = (await Promise.race([deps.watch(stream.signal), aborted]))[Symbol.asyncIterator]();
      for (;;) {
        // Raced against the abort: a transport that hangs without erroring still counts as dead.
        const next = await Promise.race([iterator.next(), aborted]);
        if (next.done) return { delivered, error: new Error('the core closed the watch stream') };
        deadAfterMs = Math.round(next.value.heartbeatMs * DEAD_STREAM_HEARTBEATS);
        armSilence();
        const first = !delivered;
        if (!delivered) {
          delivered = true;
          status.streamConnected = true;
          stopPolling();
          logger.info('watch connected', { lockfileHash: next.value.lockfileHash });
        }
        onEvent(next.value, first);
      }
    } catch (error) {
      return { delivered, error };
    } finally {
      clearTimeout(silence);
      stopping.signal.removeEventListener('abort', stop);
      stream.abort();
      void iterator?.return?.().catch(() => undefined);
    }
  }

  async function watchLoop(): Promise<void> {
    let attempt = 0;
    while (!stopping.signal.aborted) {
      const { delivered, error } = await followStream();
      if (stopping.signal.aborted) break;
      if (delivered) attempt = 0;
      const wasConnected = status.streamConnected;
      status.streamConnected = false;
      const kind = classifyFailure(error);
      const retryInMs = kind === 'unauthorized' || kind === 'forbidden' ? refusedRetryMs : backoffDelay(attempt++, watchRetry, deps.random);
      logger.warn(wasConnected ? 'watch lost' : 'watch failed', { kind, error: safeErrorMessage(error), retryInMs, pollIntervalMs: pollMs() });
      // The stream may have carried a hash we never saw: ask now, then keep asking until it is back.
      if (wasConnected) void requestSync();
      schedulePoll();
      await sleep(retryInMs);
    }
  }

  return {
    status: (): Readonly<AgentStatus> => ({ ...status }),
    /** Converges once (or fails and schedules a retry), then follows the stream in the background. */
    async start(): Promise<void> {
      status.lockfileHash = await deps.currentHash();
      await requestSync();
      scheduleHeartbeatReport();
      watchDone = watchLoop();
    },
    /** Stops watching, polling and reporting; waits up to `graceMs` for a running sync to finish. */
    async stop(graceMs = 10_000): Promise<void> {
      stopping.abort();
      for (const timer of Object.values(timers)) clearTimeout(timer);
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([syncs.idle(), watchDone]), new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
      clearTimeout(grace);
    },
  };
}
