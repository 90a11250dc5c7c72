// What a satellite agent calls besides watch: the desired state (hash and manifest from one query,
// so a hash committed meanwhile never comes with another manifest) and its status report, which
// lands in hosts.status under a host id only this satellite may write.
import { SpkError, type AgentDesired, type AgentReport, type AgentReportResult, type DesiredState } from '@spk/common';
import { describeError } from '../errors/driver-error.ts';
import type { Clock, Logger } from '../services.ts';
import type { HostStatusStore } from '../stores/host-status-store.ts';

export interface AgentProceduresDeps {
  /** The committed hash with its own manifest, read together (install_state joined with manifests). */
  readDesired(): Promise<DesiredState | null>;
  hosts: Pick<HostStatusStore, 'reportSatellite'>;
  pollIntervalMs: number;
  clock: Clock;
  logger: Logger;
  /** Integrities of the kept history: satellites keep their cached blobs and extracted packages. */
  retainedIntegrities?: () => Promise<ReadonlySet<string>>;
}

export function createAgentProcedures(deps: AgentProceduresDeps) {
  const log = deps.logger.child({ component: 'satellites' });

  /**
   * Left out when the history cannot be read: the desired state must still reach satellites, and
   * one told nothing keeps every cache entry rather than drop what a rollback would need.
   */
  async function retainedIntegrities(): Promise<ReadonlySet<string> | null> {
    if (!deps.retainedIntegrities) return null;
    try {
      return await deps.retainedIntegrities();
    } catch (error) {
      log.warn(describeError(error), 'the kept history could not be read; satellites keep every cached package until it can');
      return null;
    }
  }

  return {
    async desired(): Promise<AgentDesired> {
      const [desired, retained] = await Promise.all([deps.readDesired(), retainedIntegrities()]);
      return { desired, pollIntervalMs: deps.pollIntervalMs, ...(retained ? { retainedIntegrities: [...retained] } : {}) };
    },

    async report(satellite: string, input: AgentReport): Promise<AgentReportResult> {
      const hostId = input.hostId ?? satellite;
      const written = await deps.hosts.reportSatellite({
        hostId,
        satellite,
        lockfileHash: input.lockfileHash,
        convergedAt: input.convergedAt === null ? null : new Date(input.convergedAt),
        lastError: input.lastError,
        agentVersion: input.agentVersion,
        hostname: input.hostname,
        lastPull: input.lastPull,
        disk: input.disk ?? null,
        at: deps.clock.now(),
      });
      if (!written) {
        log.warn({ satellite, hostId }, 'refused a satellite report for a host id another host holds');
        throw new SpkError(
          'HOST_ID_TAKEN',
          `host id "${hostId}" belongs to a core instance or another satellite (each satellite's name is reserved as its host id); give this agent another SPK_HOST_ID (or leave it unset to use the satellite's name)`,
          { hostId },
        );
      }
      return { hostId, pollIntervalMs: deps.pollIntervalMs };
    },
  };
}

export type AgentProcedures = ReturnType<typeof createAgentProcedures>;
