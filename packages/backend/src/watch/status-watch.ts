// install.watch and hosts.watch: the install state and every host's status, streamed. Both re-read
// the shared database (an install elected on another instance writes its progress there; a host
// turns stale by the clock alone), woken early by this instance's own writes and change hooks.
import { SCRIPT_PACKAGES_CHANGED, type HostsSnapshot, type InstallState } from '@spk/common';
import type { HookBus } from '../services.ts';
import { createStreamSet, type ChangeSignal } from './changes-stream.ts';

/** Re-read interval while an install runs: progress is written a few times a second (progress-throttle.ts). */
export const INSTALLING_INTERVAL_MS = 300;
/** Re-read interval otherwise: an install started elsewhere, or a host going stale, shows within it. */
export const IDLE_INTERVAL_MS = 2_000;

export interface StatusWatchDeps {
  readInstall(): Promise<InstallState>;
  readHosts(): Promise<HostsSnapshot>;
  /** Local writes of the install state and of host reports. */
  installChanges: ChangeSignal;
  hostChanges: ChangeSignal;
  hooks: HookBus;
  installingIntervalMs?: number;
  idleIntervalMs?: number;
}

export function createStatusWatch(deps: StatusWatchDeps) {
  const streams = createStreamSet();
  const installingMs = deps.installingIntervalMs ?? INSTALLING_INTERVAL_MS;
  const idleMs = deps.idleIntervalMs ?? IDLE_INTERVAL_MS;
  // A commit or rollback on another instance arrives as a hook (where hooks cross instances).
  const onCommitHook = (wake: () => void) => deps.hooks.on(SCRIPT_PACKAGES_CHANGED, () => wake());

  return {
    install: (signal?: AbortSignal) =>
      streams.watch(deps.readInstall, {
        signal,
        intervalMs: (state) => (state.status === 'installing' ? installingMs : idleMs),
        wakeOn: (wake) => {
          const offLocal = deps.installChanges.on(wake);
          const offHook = onCommitHook(wake);
          return () => {
            offLocal();
            offHook();
          };
        },
      }),
    hosts: (signal?: AbortSignal) =>
      streams.watch(deps.readHosts, {
        signal,
        intervalMs: () => idleMs,
        wakeOn: (wake) => deps.hostChanges.on(wake),
      }),
    /** Open streams (tests prove a disconnect leaves none behind). */
    openStreams: () => streams.openStreams(),
    /** Ends every open stream: the backend is stopping. */
    closeAll: () => streams.closeAll(),
  };
}

export type StatusWatch = ReturnType<typeof createStatusWatch>;
