// agent.watch: one satellite's stream of desired hashes. It yields the current hash at once, a new
// one after each change hook (read back from the database, so a late or reordered hook never sends
// an agent backwards), and a heartbeat with the current hash every heartbeat interval, which also
// catches a missed hook. A revoke (hook, or the re-check on each heartbeat) ends it with
// UNAUTHORIZED; a disconnect or the backend stopping ends it quietly. Every listener and timer goes
// with it.
import { SATELLITE_REVOKED, SCRIPT_PACKAGES_CHANGED, SpkError, type AgentWatchEvent } from '@spk/common';
import type { Clock, HookBus } from '../services.ts';
import type { SatelliteStore } from '../stores/satellite-store.ts';
import { createStreamSet } from '../watch/changes-stream.ts';

export const DEFAULT_AGENT_HEARTBEAT_MS = 15_000;

export interface AgentWatchDeps {
  hooks: HookBus;
  satellites: Pick<SatelliteStore, 'findActive' | 'findActiveByName'>;
  readDesiredHash(): Promise<string | null>;
  heartbeatMs: number;
  clock: Clock;
}

const revokedError = (name: string) =>
  new SpkError('UNAUTHORIZED', `satellite "${name}" was revoked; create a new satellite identity ("spk satellites create") and give its token to the agent`, {
    name,
  });

export function createAgentWatch(deps: AgentWatchDeps) {
  const streams = createStreamSet();

  /** One stream until `stop` aborts: the client disconnected or the backend is stopping. */
  async function* follow(name: string, stop: AbortSignal): AsyncGenerator<AgentWatchEvent, void, void> {
    let changed = false;
    let revoked = false;
    let wake: (() => void) | null = null;
    const rouse = () => {
      wake?.();
      wake = null;
    };
    const offChanged = deps.hooks.on(SCRIPT_PACKAGES_CHANGED, () => {
      changed = true;
      rouse();
    });
    const offRevoked = deps.hooks.on(SATELLITE_REVOKED, (payload) => {
      if (payload.name !== name) return;
      revoked = true;
      rouse();
    });
    stop.addEventListener('abort', rouse, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      // The token was checked for this request; its hash is what the heartbeat re-checks, so a
      // revoke followed by a new satellite of the same name still ends this stream.
      const identity = await deps.satellites.findActiveByName(name);
      if (!identity) throw revokedError(name);
      let sent = await deps.readDesiredHash();
      yield { type: 'desired', lockfileHash: sent, heartbeatMs: deps.heartbeatMs };
      let nextBeat = Date.now() + deps.heartbeatMs;
      for (;;) {
        if (stop.aborted) return;
        if (revoked) throw revokedError(name);
        if (changed) {
          changed = false;
          const current = await deps.readDesiredHash();
          if (current !== sent) {
            sent = current;
            yield { type: 'desired', lockfileHash: current, heartbeatMs: deps.heartbeatMs };
          }
          continue;
        }
        const untilBeat = nextBeat - Date.now();
        if (untilBeat <= 0) {
          if (!(await deps.satellites.findActive(identity.tokenHash))) throw revokedError(name);
          const current = await deps.readDesiredHash();
          if (current !== sent) {
            sent = current;
            yield { type: 'desired', lockfileHash: current, heartbeatMs: deps.heartbeatMs };
          }
          yield { type: 'heartbeat', lockfileHash: current, at: deps.clock.now().toISOString(), heartbeatMs: deps.heartbeatMs };
          nextBeat = Date.now() + deps.heartbeatMs;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, untilBeat);
        });
        clearTimeout(timer);
        wake = null;
      }
    } finally {
      clearTimeout(timer);
      offChanged();
      offRevoked();
      stop.removeEventListener('abort', rouse);
    }
  }

  return {
    watch: (name: string, signal?: AbortSignal) => streams.track(signal, (stop) => follow(name, stop)),
    /** Streams open now (tests prove a disconnect leaves none behind). */
    openStreams: streams.openStreams,
    /** Ends every open stream (the backend is stopping); agents reconnect to another instance. */
    closeAll: streams.closeAll,
  };
}

export type AgentWatch = ReturnType<typeof createAgentWatch>;
