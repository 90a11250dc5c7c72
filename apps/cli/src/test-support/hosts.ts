// A host row as `hosts.status` answers it, for the formatting tests of `spk status` and `spk hosts`.
import type { HostStatus } from '@spk/common';

export interface HostOptions {
  kind?: HostStatus['kind'];
  lastError?: string;
  seenAt?: string;
  stale?: boolean;
  /** For a satellite: what its agent reported (defaults filled in). */
  agent?: Partial<NonNullable<HostStatus['satellite']>>;
  disk?: HostStatus['disk'];
}

/** Seen 30 s before 2025-01-02T03:10:00Z unless told otherwise; a satellite when given `agent` or that kind. */
export function host(hostId: string, lockfileHash: string | null, options: HostOptions = {}): HostStatus {
  const seen = options.seenAt ?? '2025-01-02T03:09:30.000Z';
  const kind = options.kind ?? (options.agent ? 'satellite' : 'core');
  return {
    hostId,
    kind,
    lockfileHash,
    convergedAt: lockfileHash ? '2025-01-02T03:05:00.000Z' : null,
    lastError: options.lastError ?? null,
    lastSeenAt: seen,
    stale: options.stale ?? false,
    updatedAt: seen,
    satellite: kind === 'satellite' ? { name: hostId, agentVersion: '0.1.0', hostname: `${hostId}.example`, lastPull: null, ...options.agent } : null,
    disk: options.disk ?? null,
  };
}
