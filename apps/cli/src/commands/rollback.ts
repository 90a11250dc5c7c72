// `spk rollback <hash> [--wait]`: make a state from the history desired again (the server resolves
// a prefix and restores the declared set), and with --wait follow it until the answering server,
// then every host that is not stale, runs it.
import type { Command } from '../args.ts';
import { formatRollback } from '../format-history.ts';
import { DEFAULT_WAIT_TIMEOUT_MS, formatConverged, formatEveryHost, waitForEveryHost, waitForHost } from './convergence.ts';
import { printJson, type CommandContext } from './context.ts';

type RollbackCommand = Extract<Command, { kind: 'rollback' }>;

export async function runRollbackCommand(ctx: CommandContext, command: RollbackCommand): Promise<void> {
  const timeoutMs = command.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  const result = await ctx.client.install.rollback({ lockfileHash: command.hash });
  if (!ctx.json) {
    for (const warning of result.warnings) ctx.io.stderr(`warning: ${warning}\n`);
    ctx.io.stdout(`${formatRollback(result)}\n`);
  }
  if (!command.wait) {
    if (ctx.json) printJson(ctx.io, result);
    else ctx.io.stdout('every host converges on it shortly: follow them with `spk hosts`\n');
    return;
  }
  const wait = { lockfileHash: result.lockfileHash, deadline, timeoutMs, cause: `the rollback made ${result.lockfileHash} the desired state` };
  const host = await waitForHost(ctx, wait);
  if (!ctx.json) ctx.io.stdout(`${formatConverged(host)}\n`);
  const hosts = await waitForEveryHost(ctx, wait);
  if (ctx.json) printJson(ctx.io, { ...result, host, hosts });
  else ctx.io.stdout(`${formatEveryHost(hosts, result.lockfileHash)}\n`);
}
