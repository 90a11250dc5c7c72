// `spk status`: the central install state next to what every host reports it runs.
import { formatStatus } from '../format.ts';
import { printResult, type CommandContext } from './context.ts';

export async function runStatusCommand(ctx: CommandContext): Promise<void> {
  const [install, { hosts }] = await Promise.all([ctx.client.install.state(), ctx.client.hosts.status()]);
  printResult(ctx, { install, hosts }, formatStatus(install, hosts));
}
