// `spk status`: the central install state next to what every host reports it runs, led by one
// line saying whether every host has converged.
import { formatStatus } from '../format-status.ts';
import { printResult, type CommandContext } from './context.ts';

export async function runStatusCommand(ctx: CommandContext, now: () => Date = () => new Date()): Promise<void> {
  const [install, { hosts }] = await Promise.all([ctx.client.install.state(), ctx.client.hosts.status()]);
  printResult(ctx, { install, hosts }, formatStatus(install, hosts, now()));
}
