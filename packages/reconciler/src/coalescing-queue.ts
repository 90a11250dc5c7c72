// Runs one job at a time and folds bursts together: requests that arrive while a job runs
// share exactly one follow-up job, which uses the latest input. A host that receives ten
// "changed" hooks during a reconcile reconciles once more, to the newest desired state.
export interface CoalescingQueue<T, R> {
  request(input: T): Promise<R>;
}

export function createCoalescingQueue<T, R>(run: (input: T) => Promise<R>): CoalescingQueue<T, R> {
  let running = false;
  let pending: { input: T; resolve: (value: R) => void; reject: (error: unknown) => void; promise: Promise<R> } | null = null;

  const start = (input: T): Promise<R> => {
    running = true;
    const job = Promise.resolve().then(() => run(input));
    const next = () => {
      running = false;
      const queued = pending;
      pending = null;
      if (queued) start(queued.input).then(queued.resolve, queued.reject);
    };
    job.then(next, next);
    return job;
  };

  return {
    request(input) {
      if (!running) return start(input);
      if (pending) {
        pending.input = input;
        return pending.promise;
      }
      let resolve!: (value: R) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<R>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      pending = { input, resolve, reject, promise };
      return promise;
    },
  };
}
