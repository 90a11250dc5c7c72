// What the agent loop does on a satellite: asks the core (through the contract client) for the
// desired state and what its kept history needs, follows its push stream, reports, and reconciles
// with the local reconciler, counting the bytes each reconcile pulled for the report's lastPull.
// The daemon wires it; tests drive the same wiring against a real core.
import type { Reconciler } from '@spk/reconciler';
import type { AgentClient } from './agent-client.ts';
import type { AgentLoopDeps } from './agent-loop.ts';
import type { AgentLogger } from './logger.ts';

/** Bytes received from the core since the reconcile in progress began (the blob fetcher adds to it). */
export interface PullMeter {
  bytes: number;
}

export interface SatelliteLoopInput {
  client: Pick<AgentClient, 'desired' | 'watch' | 'report'>;
  reconciler: Pick<Reconciler, 'request' | 'currentHash' | 'disk'>;
  meter: PullMeter;
  /** The integrities the core's kept history needs, each time it sends them. */
  onRetained(integrities: ReadonlySet<string>): void;
  logger: AgentLogger;
}

export function createSatelliteLoopDeps(input: SatelliteLoopInput): AgentLoopDeps {
  const { client, reconciler, meter } = input;
  return {
    async desired() {
      const answer = await client.desired();
      // A core that does not send it (an older one, or its history unreadable) leaves the last answer standing.
      if (answer.retainedIntegrities) input.onRetained(new Set(answer.retainedIntegrities));
      return answer;
    },
    watch: (signal) => client.watch(undefined, { signal }),
    report: (report) => client.report(report),
    async reconcile(desired) {
      meter.bytes = 0;
      const result = await reconciler.request(desired);
      return { lockfileHash: result.lockfileHash, changed: result.changed, pulled: { blobs: result.fetched, bytes: meter.bytes } };
    },
    currentHash: () => reconciler.currentHash(),
    disk: () => reconciler.disk(),
    logger: input.logger,
    random: Math.random,
    now: () => new Date(),
  };
}
