// Callers waiting for this host to run a given tree (`hosts.waitConverged`, script runs that may
// wait): the core host calls `reached` whenever its tree is known to be at a hash, so a waiter
// wakes on the event itself, not by polling, and gives up at its own deadline.

export type WaitOutcome = 'reached' | 'timeout' | 'stopped';

export interface ConvergenceWait {
  outcome: Promise<WaitOutcome>;
  /** Settles the wait as reached now (the caller saw the tree there itself). */
  settle(): void;
}

export function createConvergenceWaiters() {
  const waiting = new Set<{ lockfileHash: string; finish(outcome: WaitOutcome): void }>();

  return {
    wait(lockfileHash: string, timeoutMs: number): ConvergenceWait {
      let finish!: (outcome: WaitOutcome) => void;
      const outcome = new Promise<WaitOutcome>((resolve) => {
        // The timer is not unref'd: it is what answers a caller still holding a request open.
        const timer = setTimeout(() => finish('timeout'), timeoutMs);
        const waiter = {
          lockfileHash,
          finish(result: WaitOutcome) {
            clearTimeout(timer);
            waiting.delete(waiter);
            resolve(result);
          },
        };
        finish = (result) => waiter.finish(result);
        waiting.add(waiter);
      });
      return { outcome, settle: () => finish('reached') };
    },

    reached(lockfileHash: string): void {
      for (const waiter of [...waiting]) if (waiter.lockfileHash === lockfileHash) waiter.finish('reached');
    },

    /** Ends every wait (the host is stopping). */
    stopAll(): void {
      for (const waiter of [...waiting]) waiter.finish('stopped');
    },
  };
}

export type ConvergenceWaiters = ReturnType<typeof createConvergenceWaiters>;
