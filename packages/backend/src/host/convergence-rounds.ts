// A core host's convergence rounds. A round reads the desired hash, reconciles to the desired state
// when the retry policy allows, and reports the outcome, so a poll tick's round is also the host's
// heartbeat. Rounds run one at a time and every trigger that arrives during one joins a single
// follow-up round, which reads the newest desired state when it starts; a `changed` hook the round
// in progress or the tree this host runs already answers starts none (hook-coverage.ts). So a burst
// of N hooks costs at most two manifest reads, two reconciles and two status writes.
import { createCoalescingQueue, type Reconciler } from '@spk/reconciler';
import { describeError, publicErrorMessage, type ErrorFields } from '../errors/driver-error.ts';
import type { Clock, Logger } from '../services.ts';
import type { HostStatusStore } from '../stores/host-status-store.ts';
import type { InstallStateStore } from '../stores/install-state-store.ts';
import type { ConvergenceWaiters } from './convergence-waiters.ts';
import { createHookCoverage } from './hook-coverage.ts';
import { afterFailure, mayAttempt, type AttemptReason, type FailureRecord, type RetryPolicy } from './retry-policy.ts';

export interface ConvergenceRoundsDeps {
  hostId: string;
  state: Pick<InstallStateStore, 'readDesiredHash' | 'readDesired'>;
  reconciler: Pick<Reconciler, 'request' | 'currentHash' | 'disk'>;
  hostStatus: Pick<HostStatusStore, 'report'>;
  waiters: Pick<ConvergenceWaiters, 'reached'>;
  clock: Clock;
  log: Logger;
  retryPolicy: RetryPolicy;
}

/** Which trigger a queued round keeps when several join it: any but a poll tick tries despite the backoff. */
const REASON_STRENGTH: Record<AttemptReason, number> = { poll: 0, retry: 1, hook: 2, start: 2 };
const stronger = (queued: AttemptReason, next: AttemptReason) => (REASON_STRENGTH[next] > REASON_STRENGTH[queued] ? next : queued);

export function createConvergenceRounds(deps: ConvergenceRoundsDeps) {
  const { log, reconciler } = deps;
  let failure: FailureRecord | null = null;
  /** What the last report said went wrong; repeated by reports made while backing off. */
  let lastError: string | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  const coverage = createHookCoverage();

  async function report(lockfileHash: string | null, error: string | null): Promise<void> {
    lastError = error;
    // The store keeps the first convergedAt while the hash stays the same.
    const at = deps.clock.now();
    await deps.hostStatus.report({ hostId: deps.hostId, kind: 'core', lockfileHash, convergedAt: lockfileHash === null ? null : at, lastError: error, at, disk: reconciler.disk() });
  }

  function converged(lockfileHash: string): Promise<void> {
    if (failure) log.info({ lockfileHash, failures: failure.failures }, 'reconcile succeeded after failing');
    failure = null;
    if (retryTimer) clearTimeout(retryTimer);
    coverage.reached(lockfileHash);
    deps.waiters.reached(lockfileHash);
    return report(lockfileHash, null);
  }

  /** Converges to the committed desired state when the retry policy allows; reconcile failures are recorded, never thrown. */
  async function converge(reason: AttemptReason): Promise<void> {
    const [desiredHash, current] = await Promise.all([deps.state.readDesiredHash(), reconciler.currentHash()]);
    coverage.read(desiredHash);
    if (desiredHash === null) return report(current, null);
    if (current === desiredHash) return converged(current);
    if (!mayAttempt(failure, { lockfileHash: desiredHash, now: deps.clock.now().getTime(), reason })) return report(current, lastError);
    const desired = await deps.state.readDesired();
    // The manifest may be of a newer commit than the hash read first: the round builds that one.
    coverage.read(desired?.lockfileHash ?? null);
    if (!desired) return report(current, null);
    try {
      const result = await reconciler.request(desired);
      await converged(result.lockfileHash);
    } catch (error) {
      // The log gets the driver's code and message; the stored status (shown by `hosts.status`) only
      // what is safe to show: a drizzle error's own message holds the SQL text and its parameters.
      const fields = describeError(error);
      const decision = afterFailure(failure, { lockfileHash: desired.lockfileHash, errorKey: errorKeyOf(fields), now: deps.clock.now().getTime() }, deps.retryPolicy);
      failure = decision.record;
      const retry = { lockfileHash: desired.lockfileHash, failures: failure.failures, retryInMs: decision.retryInMs };
      if (decision.log) log.error({ ...fields, ...retry }, 'reconcile failed');
      else log.debug({ code: fields.code, ...retry }, 'reconcile failed again with the same error');
      if (retryTimer) clearTimeout(retryTimer);
      if (!stopped) retryTimer = setTimeout(() => void rounds.request('retry'), decision.retryInMs).unref();
      await report(await reconciler.currentHash(), publicErrorMessage(error, 'reconcile failed'));
    }
  }

  const rounds = createCoalescingQueue(
    async (reason: AttemptReason): Promise<void> => {
      coverage.began();
      try {
        await converge(reason);
      } catch (error) {
        log.error(describeError(error), 'host status could not be recorded');
      }
      if (coverage.ended() && !stopped) void rounds.request('hook');
    },
    { merge: stronger },
  );

  return {
    /** Runs a round now, or joins the one follow-up of the round in progress. Never rejects. */
    schedule: (reason: AttemptReason): Promise<void> => rounds.request(reason),
    /** A `changed` hook for `lockfileHash`: a round, unless one in progress or the tree this host runs answers it. */
    changed(lockfileHash: string): void {
      if (coverage.hook(lockfileHash)) void rounds.request('hook');
    },
    /** Settles once no round runs and none waits. */
    idle: () => rounds.idle(),
    lastError: () => lastError,
    start(): void {
      stopped = false;
    },
    /** No retry is set after this; rounds already queued still run (await idle()). */
    stop(): void {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
    },
  };
}

/**
 * What makes a failure "the same error" for logging: its code (and its cause's), not its message,
 * which may name whichever of several missing blobs a parallel fetch tripped over first.
 */
function errorKeyOf(fields: ErrorFields): string {
  return fields.cause ? `${fields.code}/${fields.cause.code}` : fields.code;
}

export type ConvergenceRounds = ReturnType<typeof createConvergenceRounds>;
