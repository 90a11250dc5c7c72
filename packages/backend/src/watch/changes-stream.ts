// One loop behind every "state at once, then on each change" stream (install.watch, hosts.watch):
// it re-reads the durable state when woken by a local signal and on an interval (the change may
// come from another instance, or be time-based like a host turning stale), and yields only what
// differs from the last value sent. Ends quietly on abort; every timer and listener goes with it.

export interface WatchChangesOptions<T> {
  /** How long to wait before the next re-read, given the value just read (short while it moves). */
  intervalMs(value: T): number;
  signal?: AbortSignal | undefined;
  /** Subscribes a wake-up (a local write, a hook); returns the unsubscribe. */
  wakeOn?: ((wake: () => void) => () => void) | undefined;
}

export async function* watchChanges<T>(read: () => Promise<T>, options: WatchChangesOptions<T>): AsyncGenerator<T, void, void> {
  const { signal } = options;
  let woken = false;
  let wake: (() => void) | null = null;
  const rouse = () => {
    woken = true;
    wake?.();
  };
  const off = options.wakeOn?.(rouse);
  signal?.addEventListener('abort', rouse, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    let sent: string | undefined;
    while (!signal?.aborted) {
      // A wake while reading or while the consumer holds the value means the read may be outdated.
      woken = false;
      const value = await read();
      if (signal?.aborted) return;
      const key = JSON.stringify(value);
      if (key !== sent) {
        sent = key;
        yield value;
      }
      if (woken) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, options.intervalMs(value));
      });
      clearTimeout(timer);
      wake = null;
    }
  } finally {
    clearTimeout(timer);
    off?.();
    signal?.removeEventListener('abort', rouse);
  }
}

/** A local "something was written" signal: stores notify it, streams wake on it. */
export function createChangeSignal() {
  const listeners = new Set<() => void>();
  return {
    notify(): void {
      for (const listener of listeners) listener();
    },
    on(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listeners: () => listeners.size,
  };
}

export type ChangeSignal = ReturnType<typeof createChangeSignal>;

/**
 * Tracks open streams so the backend can end them all when it stops (they would hold the HTTP server
 * open): each runs with a signal that the caller's disconnect and `closeAll` both abort.
 */
export function createStreamSet() {
  const open = new Set<AbortController>();
  async function* track<T>(signal: AbortSignal | undefined, run: (stop: AbortSignal) => AsyncGenerator<T, void, void>): AsyncGenerator<T, void, void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    if (signal?.aborted) return;
    signal?.addEventListener('abort', onAbort, { once: true });
    open.add(stop);
    try {
      yield* run(stop.signal);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      open.delete(stop);
    }
  }
  return {
    track,
    watch: <T>(read: () => Promise<T>, options: WatchChangesOptions<T>) => track(options.signal, (stop) => watchChanges(read, { ...options, signal: stop })),
    openStreams: () => open.size,
    closeAll(): void {
      for (const stop of open) stop.abort();
    },
  };
}
