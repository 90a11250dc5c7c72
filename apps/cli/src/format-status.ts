// `spk status` in words: first whether every host runs the desired tree (naming the ones that do
// not, and stale ones with when they were last seen), then the install state and the host table
// of `spk hosts` (core instances and satellites). Pure: the caller passes the clock.
import type { HostStatus, InstallState } from '@spk/common';
import { formatBytes, formatProgress, plural, shortHash } from './format.ts';
import { ago, formatHostTable, hostCount } from './format-hosts.ts';

/**
 * One line: "all 3 hosts run <hash>", or "2 of 3 hosts run <hash>; behind: b (runs <hash>);
 * stale: x (last seen 5m ago)". A stale host never counts as converged: it may be gone.
 */
export function convergenceSummary(desired: string | null, hosts: readonly HostStatus[], now: Date): string {
  if (desired === null) {
    return hosts.length === 0 ? 'nothing installed yet; no host has reported' : `nothing installed yet; ${plural(hosts.length, 'host')} reported`;
  }
  if (hosts.length === 0) return `no host has reported yet; the desired tree is ${shortHash(desired)}`;
  const stale = hosts.filter((host) => host.stale);
  const live = hosts.filter((host) => !host.stale);
  const behind = live.filter((host) => host.lockfileHash !== desired);
  const converged = live.length - behind.length;
  if (converged === hosts.length) {
    return hosts.length === 1 ? `yes: the only host, ${hosts[0]!.hostId}, runs ${shortHash(desired)}` : `yes: all ${hosts.length} hosts run ${shortHash(desired)}`;
  }
  const parts = [`no: ${converged} of ${plural(hosts.length, 'host')} run ${shortHash(desired)}`];
  if (behind.length > 0) {
    const describe = (host: HostStatus) => `${host.hostId} (${host.lockfileHash === null ? 'no tree yet' : `runs ${shortHash(host.lockfileHash)}`}${host.lastError ? ', failing' : ''})`;
    parts.push(`behind: ${behind.map(describe).join(', ')}`);
  }
  if (stale.length > 0) parts.push(`stale: ${stale.map((host) => `${host.hostId} (last seen ${ago(host.lastSeenAt, now)})`).join(', ')}`);
  return parts.join('; ');
}

export function formatStatus(state: InstallState, hosts: readonly HostStatus[], now: Date): string {
  const count = state.manifest.length;
  const status = state.status === 'installing' ? `installing (${formatProgress(state.progress)})` : state.status;
  const lines = [
    `converged:   ${convergenceSummary(state.lockfileHash, hosts, now)}`,
    `install:     ${status}`,
    `lockfile:    ${state.lockfileHash ?? 'none (nothing installed yet)'}`,
    `packages:    ${count} (${formatBytes(state.totalSize)})`,
    `committed:   ${state.committedAt ?? '-'}`,
    `last error:  ${state.error ? `${state.error.code}: ${state.error.message}` : 'none'}`,
  ];
  if (state.warnings.length === 0) lines.push('warnings:    none');
  else lines.push('warnings:', ...state.warnings.map((w) => `  - ${w}`));
  lines.push('');
  if (hosts.length === 0) {
    lines.push('hosts:       none reported');
  } else {
    lines.push(`hosts:       ${hostCount(hosts)}`, formatHostTable(hosts, state.lockfileHash, now));
  }
  return lines.join('\n');
}
