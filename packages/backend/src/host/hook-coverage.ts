// Which `changed` hooks the convergence round in progress already answers, so that a burst of them
// costs no extra round. A round reads the desired hash, then builds that state. A hook heard while
// it reads may come from a commit the read predates: it is covered only if it names the hash the
// read returned (that state is desired either way, and any later commit of another state brings a
// hook of its own). A hook heard after the read is covered when it names the state the round builds
// or the tree the host reached; should the round fail to build it, the hook gets one more round at
// once (an install may have put missing blobs back). Pure bookkeeping: the caller runs the rounds.

interface Target {
  lockfileHash: string;
  reached: boolean;
  /** A hook named it while the round ran. */
  hooked: boolean;
}

export function createHookCoverage() {
  /** The state the round in progress (or else the last one) set out for; null before its read, or with nothing desired. */
  let target: Target | null = null;
  /** The hashes hooks named while the round in progress reads the desired hash; null outside that read. */
  let heard: Set<string> | null = null;
  let inRound = false;
  /** A hook the round in progress does not answer came in: one more round after it. */
  let again = false;

  return {
    /** A round begins; it reads the desired hash next. */
    began(): void {
      inRound = true;
      heard = new Set();
      again = false;
      target = null;
    },

    /** The round read `lockfileHash` as desired (null: nothing committed) and sets out for it. */
    read(lockfileHash: string | null): void {
      const names = heard ?? new Set<string>();
      heard = null;
      for (const name of names) if (name !== lockfileHash) again = true;
      if (lockfileHash === null) {
        target = null;
        return;
      }
      const hooked = names.has(lockfileHash) || (target?.lockfileHash === lockfileHash && target.hooked);
      target = { lockfileHash, reached: false, hooked };
    },

    /** The host's tree is at `lockfileHash`. */
    reached(lockfileHash: string): void {
      target = { lockfileHash, reached: true, hooked: false };
    },

    /** The round ended; true when a hook heard during it still wants a round. */
    ended(): boolean {
      inRound = false;
      // The read never finished (it threw): nothing heard meanwhile is answered.
      if (heard && heard.size > 0) again = true;
      heard = null;
      return again || (target !== null && target.hooked && !target.reached);
    },

    /** A `changed` hook naming `lockfileHash`; true when it needs a round (none in progress answers it). */
    hook(lockfileHash: string): boolean {
      if (heard) {
        heard.add(lockfileHash);
        return false;
      }
      if (target?.lockfileHash === lockfileHash) {
        if (target.reached) return false;
        if (inRound) {
          target.hooked = true;
          return false;
        }
      }
      return true;
    },
  };
}
