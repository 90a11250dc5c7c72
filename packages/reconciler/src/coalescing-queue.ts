// Runs one job at a time and folds bursts together: requests that arrive while a job runs share
// exactly one follow-up job, started once the running one settled (whatever its outcome), with the
// latest input (or the inputs merged); requests made before a job began simply join it. A host that
// receives ten "changed" hooks during a round runs one more round, which reads the newest desired
// state then. Every caller of a job gets its result or its error; a failed job never holds up the next.
export interface CoalescingQueue<T, R> {
  /**
   * Starts a job when none runs. A request made before the job began joins it; one made while it
   * runs joins the single follow-up job, shared by every caller meanwhile.
   */
  request(input: T): Promise<R>;
  /** Settles once no job runs and none waits, including follow-ups queued while waiting. */
  idle(): Promise<void>;
}

export interface CoalescingQueueOptions<T> {
  /** The input of a job not begun yet when another request joins it; by default the newer input wins. */
  merge?: (queued: T, next: T) => T;
}

/** A job that will run or runs: `input` may still change until `begun`. */
interface Job<T, R> {
  input: T;
  begun: boolean;
  result: Promise<R>;
}

const ignore = () => undefined;

export function createCoalescingQueue<T, R>(run: (input: T) => Promise<R>, options: CoalescingQueueOptions<T> = {}): CoalescingQueue<T, R> {
  const merge = options.merge ?? ((_queued: T, next: T) => next);
  let active: Job<T, R> | null = null;
  let followUp: { input: T; result: Promise<R>; adopt(result: Promise<R>): void } | null = null;

  const start = (input: T): Promise<R> => {
    const pending = { input, begun: false };
    // Begun in a microtask, never inline: requests made in the same tick (an emitter's loop) join it.
    const result = Promise.resolve().then(() => {
      pending.begun = true;
      return run(pending.input);
    });
    const job: Job<T, R> = Object.assign(pending, { result });
    active = job;
    const next = () => {
      active = null;
      const queued = followUp;
      followUp = null;
      if (queued) queued.adopt(start(queued.input));
    };
    job.result.then(next, next);
    return job.result;
  };

  return {
    request(input) {
      if (!active) return start(input);
      if (!active.begun) {
        active.input = merge(active.input, input);
        return active.result;
      }
      if (followUp) {
        followUp.input = merge(followUp.input, input);
        return followUp.result;
      }
      let adopt!: (result: Promise<R>) => void;
      const result = new Promise<R>((resolve) => (adopt = resolve));
      followUp = { input, result, adopt };
      return result;
    },
    async idle() {
      // A job's own `next` runs before this loop looks again, so a follow-up is seen as active.
      while (active) await active.result.then(ignore, ignore);
    },
  };
}
