// The host table of `spk hosts` and `spk status`: each core instance and satellite with the tree it
// runs, whether that is the desired one, the trees and bytes it holds on disk, and for satellites
// what the agent said about itself. Pure: the caller passes the clock.
import type { HostStatus } from '@spk/common';
import { formatBytes, plural, renderTable, shortHash } from './format.ts';

export type HostState = 'converged' | 'lagging' | 'stale';

/** "45s", "5m", "3h", "2d": how long ago, coarse on purpose. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export const ago = (iso: string, now: Date): string => `${formatAge(now.getTime() - Date.parse(iso))} ago`;

/** A stale host is never converged, whatever it last said: it may be gone. */
export function hostState(host: HostStatus, desired: string | null): HostState {
  if (host.stale) return 'stale';
  return host.lockfileHash === desired ? 'converged' : 'lagging';
}

/** "3 blobs, 1.2 MiB"; "nothing" when the last reconcile had all it needed. */
export function formatPull(pull: { blobs: number; bytes: number } | null): string {
  if (pull === null) return '-';
  return pull.blobs === 0 ? 'nothing' : `${plural(pull.blobs, 'blob')}, ${formatBytes(pull.bytes)}`;
}

/** "3 (2 retired, 1 pinned)": trees on disk, and why some besides the current one are still there. */
export function formatTrees(disk: HostStatus['disk']): string {
  if (disk === null) return '-';
  const why = [disk.retiredTrees > 0 ? `${disk.retiredTrees} retired` : '', disk.pinnedTrees > 0 ? `${disk.pinnedTrees} pinned` : ''].filter(Boolean);
  return why.length === 0 ? String(disk.trees) : `${disk.trees} (${why.join(', ')})`;
}

/** The first line of an error, so one host cannot break the table. */
const firstLine = (text: string | null) => (text === null ? '-' : (text.split('\n', 1)[0] ?? ''));

/** "3 (1 core instance, 2 satellites)". */
export function hostCount(hosts: readonly HostStatus[]): string {
  const satellites = hosts.filter((host) => host.kind === 'satellite').length;
  return `${hosts.length} (${plural(hosts.length - satellites, 'core instance')}, ${plural(satellites, 'satellite')})`;
}

/**
 * Core instances first, then satellites, each by id. The agent columns appear only when some host
 * is a satellite, and the disk columns only when some host reported its disk, so a cluster without
 * either keeps a narrow table.
 */
export function formatHostTable(hosts: readonly HostStatus[], desired: string | null, now: Date): string {
  const withSatellites = hosts.some((host) => host.satellite !== null);
  const withDisk = hosts.some((host) => host.disk !== null);
  const headers = [
    'HOST',
    'KIND',
    'LOCKFILE',
    'STATE',
    'CONVERGED',
    'LAST SEEN',
    ...(withDisk ? ['TREES', 'DISK'] : []),
    ...(withSatellites ? ['AGENT', 'HOSTNAME', 'LAST PULL'] : []),
    'ERROR',
  ];
  const rows = [...hosts]
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.hostId.localeCompare(b.hostId))
    .map((host) => {
      const agent = host.satellite;
      const agentCells = withSatellites ? [agent?.agentVersion ?? '-', agent?.hostname ?? '-', formatPull(agent?.lastPull ?? null)] : [];
      const diskCells = withDisk ? [formatTrees(host.disk), host.disk === null ? '-' : formatBytes(host.disk.bytes)] : [];
      const converged = host.convergedAt === null ? '-' : ago(host.convergedAt, now);
      return [host.hostId, host.kind, shortHash(host.lockfileHash), hostState(host, desired), converged, ago(host.lastSeenAt, now), ...diskCells, ...agentCells, firstLine(host.lastError)];
    });
  return renderTable(headers, rows);
}
