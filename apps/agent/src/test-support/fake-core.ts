// An in-memory core for the agent loop's unit tests: desired state, push streams the test drives,
// recorded reports and reconciles, and switches to make each call fail like a real core would.
import { ORPCError } from '@orpc/client';
import { SpkError, type AgentReport, type AgentWatchEvent, type DesiredState } from '@spk/common';
import type { AgentLoopDeps, PulledReconcile } from '../agent-loop.ts';

export const hash = (c: string) => c.repeat(64);
export const desiredOf = (lockfileHash: string): DesiredState => ({ lockfileHash, manifest: [] });

/** What a fetch to a stopped core throws. */
export function connectionRefused(): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
}

export interface FakeStream {
  push(event: AgentWatchEvent): void;
  end(): void;
  fail(error: Error): void;
  /** Set once the agent aborted this stream. */
  aborted: boolean;
}

export function createFakeCore(initial: string | null) {
  let desiredHash = initial;
  let current: string | null = null;
  const streams: FakeStream[] = [];
  const logs: Array<{ level: string; msg: string; fields: Record<string, unknown> | undefined }> = [];
  const core = {
    pollIntervalMs: 5_000,
    /** What the fake core's events announce as its heartbeat interval. */
    heartbeatMs: 1_000,
    reachable: true,
    tokenRevoked: false,
    /** Reconciles that fail with INTEGRITY_MISMATCH before one succeeds. */
    corruptReconciles: 0,
    /** Whether watch() hangs (connects but never sends) instead of answering. */
    silentStreams: false,
    /** While set, reconciles wait for it (a reconcile still pulling blobs). */
    holdReconciles: null as Promise<void> | null,
    desiredCalls: 0,
    reconciles: [] as string[],
    reports: [] as AgentReport[],
    streams,
    logs,
    commit(next: string) {
      desiredHash = next;
      for (const stream of streams) if (!stream.aborted) stream.push({ type: 'desired', lockfileHash: next, heartbeatMs: core.heartbeatMs });
    },
    heartbeat() {
      for (const stream of streams) if (!stream.aborted) stream.push({ type: 'heartbeat', lockfileHash: desiredHash, at: new Date().toISOString(), heartbeatMs: core.heartbeatMs });
    },
    logged: (msg: string) => logs.filter((line) => line.msg === msg),
    current: () => current,
  };

  const refuse = () => {
    if (!core.reachable) throw connectionRefused();
    if (core.tokenRevoked) throw new ORPCError('UNAUTHORIZED', { status: 401, message: 'the satellite token was revoked' });
  };

  function openStream(signal: AbortSignal): AsyncIterable<AgentWatchEvent> {
    const queue: AgentWatchEvent[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    let failure: Error | null = null;
    const stream: FakeStream = {
      aborted: false,
      push: (event) => (queue.push(event), wake?.()),
      end: () => ((ended = true), wake?.()),
      fail: (error) => ((failure = error), wake?.()),
    };
    signal.addEventListener('abort', () => ((stream.aborted = true), stream.fail(new DOMException('aborted', 'AbortError'))), { once: true });
    streams.push(stream);
    if (!core.silentStreams) stream.push({ type: 'desired', lockfileHash: desiredHash, heartbeatMs: core.heartbeatMs });
    return {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (queue.length > 0) yield queue.shift()!;
          else if (failure) throw failure;
          else if (ended) return;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    };
  }

  const deps: Omit<AgentLoopDeps, 'random' | 'now'> = {
    async desired() {
      core.desiredCalls++;
      refuse();
      return { desired: desiredHash ? desiredOf(desiredHash) : null, pollIntervalMs: core.pollIntervalMs };
    },
    async watch(signal) {
      refuse();
      return openStream(signal);
    },
    async report(report) {
      refuse();
      core.reports.push(report);
      return { hostId: report.hostId ?? 'sat-1', pollIntervalMs: core.pollIntervalMs };
    },
    async reconcile(desired): Promise<PulledReconcile> {
      core.reconciles.push(desired.lockfileHash);
      await core.holdReconciles;
      if (!core.reachable) throw connectionRefused();
      if (core.corruptReconciles > 0) {
        core.corruptReconciles--;
        throw new SpkError('INTEGRITY_MISMATCH', 'the downloaded blob for a@1.0.0 does not match its integrity');
      }
      const changed = current !== desired.lockfileHash;
      current = desired.lockfileHash;
      return { lockfileHash: desired.lockfileHash, changed, pulled: { blobs: changed ? 2 : 0, bytes: changed ? 2048 : 0 } };
    },
    currentHash: async () => current,
    logger: {
      debug: (msg, fields) => logs.push({ level: 'debug', msg, fields }),
      info: (msg, fields) => logs.push({ level: 'info', msg, fields }),
      warn: (msg, fields) => logs.push({ level: 'warn', msg, fields }),
      error: (msg, fields) => logs.push({ level: 'error', msg, fields }),
    },
  };
  return { core, deps, setCurrent: (value: string | null) => (current = value) };
}
