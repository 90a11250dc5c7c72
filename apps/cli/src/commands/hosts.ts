// `spk hosts`: every core instance and satellite, the tree each runs against the desired one, and
// what each agent said about itself; the same table `spk status` ends with.
import type { HostStatus } from '@spk/common';
import { shortHash } from '../format.ts';
import { formatHostTable, hostCount } from '../format-hosts.ts';
import { printResult, type CommandContext } from './context.ts';

export function formatHosts(desired: string | null, hosts: readonly HostStatus[], now: Date): string {
  const tree = desired === null ? 'none (nothing installed yet)' : shortHash(desired);
  if (hosts.length === 0) {
    return `desired tree: ${tree}\nno host has reported yet (core instances report once they start; satellites once spk-agent runs with their token)`;
  }
  return `desired tree: ${tree}; hosts: ${hostCount(hosts)}\n${formatHostTable(hosts, desired, now)}`;
}

export async function runHostsCommand(ctx: CommandContext, now: () => Date = () => new Date()): Promise<void> {
  const [install, { hosts }] = await Promise.all([ctx.client.install.state(), ctx.client.hosts.status()]);
  // --json: the desired hash beside the hosts, so a script can tell converged from lagging itself.
  printResult(ctx, { desired: install.lockfileHash, hosts }, formatHosts(install.lockfileHash, hosts, now()));
}
