// Search-as-you-type without races: each keystroke restarts a short wait, a new query aborts the one
// in flight, and only the answer to the latest text is delivered — a slow answer for "re" can never
// overwrite the list already shown for "react".
export interface LatestQueryHandlers<T> {
  /** The answer to the latest text. */
  onResult(text: string, result: T): void;
  onError(text: string, error: unknown): void;
  /** A query for `text` left the wait and was sent. */
  onStart?(text: string): void;
}

export interface LatestQuery {
  /** Ask for `text` after the wait; an empty (blank) text only cancels. */
  update(text: string): void;
  /** Drop the pending wait and the query in flight; nothing more is delivered until the next update. */
  cancel(): void;
}

export function createLatestQuery<T>(run: (text: string, signal: AbortSignal) => Promise<T>, delayMs: number, handlers: LatestQueryHandlers<T>): LatestQuery {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | null = null;
  let generation = 0;

  function cancel(): void {
    generation += 1;
    clearTimeout(timer);
    timer = undefined;
    inFlight?.abort();
    inFlight = null;
  }

  function send(text: string, mine: number): void {
    const controller = new AbortController();
    inFlight = controller;
    handlers.onStart?.(text);
    run(text, controller.signal).then(
      (result) => mine === generation && handlers.onResult(text, result),
      (error: unknown) => mine === generation && handlers.onError(text, error),
    );
  }

  return {
    update(text) {
      cancel();
      if (text.trim() === '') return;
      const mine = generation;
      timer = setTimeout(() => send(text, mine), delayMs);
    },
    cancel,
  };
}
