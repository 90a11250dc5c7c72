// The three ways a section talks to the API: load once (and on demand), follow a stream, and run an
// action. Each keeps its own loading/error state, and drops answers that arrive after unmount.
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeApiError, type ApiFailure } from '../api/errors.ts';

export interface Loaded<T> {
  data: T | null;
  error: ApiFailure | null;
  loading: boolean;
  reload(): void;
}

/** Calls `load` on mount, when `deps` change, and on `reload()`. */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiFailure | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState((previous) => ({ data: previous.data, error: describeApiError(error), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}

export interface Streamed<T> {
  /** The latest event, or null before the first. */
  latest: T | null;
  /** Set while the stream is down (it reconnects by itself); null while it flows. */
  error: ApiFailure | null;
  connected: boolean;
}

/** Follows `open(signal)` from mount to unmount, reconnecting after `retryMs` when it breaks or ends. */
export function useStream<T>(open: (signal: AbortSignal) => Promise<AsyncIterable<T>>, deps: readonly unknown[], retryMs = 2000): Streamed<T> {
  const [state, setState] = useState<Streamed<T>>({ latest: null, error: null, connected: false });
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function follow(): Promise<void> {
      try {
        const events = await open(controller.signal);
        setState((previous) => ({ ...previous, error: null, connected: true }));
        for await (const event of events) {
          if (controller.signal.aborted) return;
          setState({ latest: event, error: null, connected: true });
        }
        if (!controller.signal.aborted) setState((previous) => ({ ...previous, connected: false }));
      } catch (error) {
        if (controller.signal.aborted) return;
        setState((previous) => ({ ...previous, error: describeApiError(error), connected: false }));
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void follow(), retryMs);
    }
    void follow();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, deps);
  return state;
}

export interface Action<A extends unknown[], T> {
  run(...args: A): Promise<T | undefined>;
  pending: boolean;
  error: ApiFailure | null;
  clearError(): void;
}

/** Runs `act`; its failure lands in `error` (never thrown), its result is returned (undefined on failure). */
export function useAction<A extends unknown[], T>(act: (...args: A) => Promise<T>): Action<A, T> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    // Set again on mount: React's strict mode unmounts and mounts once more in development.
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const latest = useRef(act);
  latest.current = act;
  const run = useCallback(async (...args: A) => {
    setPending(true);
    setError(null);
    try {
      return await latest.current(...args);
    } catch (failure) {
      if (mounted.current) setError(describeApiError(failure));
      return undefined;
    } finally {
      if (mounted.current) setPending(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { run, pending, error, clearError };
}
