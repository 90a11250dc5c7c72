// For component tests only: a session whose client is a hand-written stand-in for the server,
// implementing just the procedures a page calls, and a stream the test feeds event by event.
// The real server is exercised by the console's browser test.
import { render, type RenderResult } from '@testing-library/react';
import { createElement, type ReactElement } from 'react';
import type { PrincipalInfo } from '@spk/common';
import type { ApiClient } from '../api/client.ts';
import { SessionContext, sessionFor, type Session } from './session.tsx';

export const ADMIN: PrincipalInfo = { name: 'admin', permissions: ['read', 'manage'], readOnly: false };
export const VIEWER: PrincipalInfo = { name: 'dashboard', permissions: ['read'], readOnly: true };

/** Procedures the page under test calls, by namespace (`{ install: { watch } }`); others are absent. */
export type StandInClient = { [K in keyof ApiClient]?: Record<string, (...args: never[]) => unknown> };

export function standInSession(client: StandInClient, principal: PrincipalInfo = ADMIN): Session {
  // The stand-in implements a subset of the client; the page only reaches what the test provides.
  return sessionFor(client as unknown as ApiClient, 'stand-in-token', principal, () => undefined);
}

/** Renders `ui` signed in as `principal`, talking to the stand-in `client`. */
export function renderInSession(ui: ReactElement, client: StandInClient, principal: PrincipalInfo = ADMIN): RenderResult {
  return render(createElement(SessionContext.Provider, { value: standInSession(client, principal) }, ui));
}

export interface FedStream<T> {
  /** What `watch` returns: the events pushed so far, then each one as it is pushed, until the signal aborts. */
  open(signal?: AbortSignal): Promise<AsyncIterable<T>>;
  push(event: T): void;
  /** Breaks the stream for every follower, as a dropped connection does. */
  fail(error: Error): void;
  opened(): number;
}

export function fedStream<T>(): FedStream<T> {
  const events: T[] = [];
  const waiters = new Set<() => void>();
  let failure: Error | null = null;
  let opens = 0;
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  return {
    async open(signal) {
      opens += 1;
      failure = null;
      const start = events.length;
      return (async function* follow() {
        let next = Math.max(0, start - 1);
        while (!signal?.aborted) {
          if (failure) throw failure;
          if (next < events.length) {
            yield events[next++]!;
            continue;
          }
          await new Promise<void>((resolve) => {
            const done = () => {
              waiters.delete(done);
              resolve();
            };
            waiters.add(done);
            signal?.addEventListener('abort', done, { once: true });
          });
        }
      })();
    },
    push(event) {
      events.push(event);
      wake();
    },
    fail(error) {
      failure = error;
      wake();
    },
    opened: () => opens,
  };
}
