// How the Hosts section judges a host against the desired tree, and how long ago it last reported.
// Pure functions of the reported status and the clock, so both are tested without a page.
import type { HostStatus } from '@spk/common';

export type HostState = 'converged' | 'lagging' | 'stale';

/**
 * "stale" wins: a host that stopped reporting may run anything by now. Otherwise "converged" when it
 * runs the desired tree, "lagging" when it runs another tree or none. `desiredHash` null means nothing
 * was ever installed, which a host running no tree matches.
 */
export function classifyHost(host: Pick<HostStatus, 'lockfileHash' | 'stale'>, desiredHash: string | null): HostState {
  if (host.stale) return 'stale';
  return host.lockfileHash === desiredHash ? 'converged' : 'lagging';
}

const UNITS: readonly (readonly [limitSeconds: number, secondsPer: number, unit: string])[] = [
  [60, 1, 's'],
  [60 * 60, 60, 'min'],
  [24 * 60 * 60, 60 * 60, 'h'],
  [Number.POSITIVE_INFINITY, 24 * 60 * 60, 'd'],
];

/** "5 s ago", "3 min ago", "2 h ago", "4 d ago"; a time slightly ahead of this clock reads "just now". */
export function timeAgo(iso: string | null, now: number): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.floor((now - then) / 1000);
  if (seconds < 1) return 'just now';
  const [, per, unit] = UNITS.find(([limit]) => seconds < limit)!;
  return `${Math.floor(seconds / per)} ${unit} ago`;
}

/** How many hosts run the desired tree, for the line above the table. */
export function convergenceSummary(hosts: readonly Pick<HostStatus, 'lockfileHash' | 'stale'>[], desiredHash: string | null): string {
  const converged = hosts.filter((host) => classifyHost(host, desiredHash) === 'converged').length;
  const stale = hosts.filter((host) => host.stale).length;
  const base = `${converged} of ${hosts.length} ${hosts.length === 1 ? 'host runs' : 'hosts run'} the desired tree`;
  return stale > 0 ? `${base}; ${stale} stale` : base;
}
