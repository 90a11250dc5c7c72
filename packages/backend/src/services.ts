// The host's services the backend is given: it imports no globals for these, so a test or another
// host can pass its own.
import type { HookId, HookPayloads, Principal } from '@spk/common';
import type { Database } from './db/database.ts';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface Clock {
  now(): Date;
}

export interface HookBus {
  emit<K extends HookId>(id: K, payload: HookPayloads[K]): void;
  on<K extends HookId>(id: K, listener: (payload: HookPayloads[K]) => void): () => void;
}

export interface Authenticator {
  /** Resolves a bearer token to who holds it, or null when it is unknown. */
  authenticate(token: string): Promise<Principal | null>;
}

export interface BackendServices {
  database: Database;
  logger: Logger;
  dataDir: string;
  hooks: HookBus;
  clock: Clock;
  /** Who holds a token; without one, the backend's own authenticator reads the shared api_tokens table. */
  auth?: Authenticator;
}

export const systemClock: Clock = { now: () => new Date() };

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** An in-process hook bus; cross-instance delivery wraps it later. */
export function createHookBus(): HookBus {
  const listeners = new Map<HookId, Set<(payload: never) => void>>();
  return {
    emit(id, payload) {
      for (const listener of listeners.get(id) ?? []) (listener as (p: typeof payload) => void)(payload);
    },
    on(id, listener) {
      const set = listeners.get(id) ?? new Set();
      listeners.set(id, set);
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}
