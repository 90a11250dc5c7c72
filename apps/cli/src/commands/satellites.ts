// `spk satellites create|list|revoke`: the identities remote hosts run spk-agent with. A new
// satellite's token is printed once, with how to hand it to the agent; nothing else prints it.
import type { SatelliteInfo } from '@spk/common';
import type { Command } from '../args.ts';
import { renderTable } from '../format.ts';
import { printResult, printSecretOnce, type CommandContext } from './context.ts';

type SatellitesCommand = Extract<Command, { kind: `satellites.${string}` }>;

export function formatSatelliteList(satellites: readonly SatelliteInfo[]): string {
  if (satellites.length === 0) {
    return 'no satellites (create one with `spk satellites create <name>`, then run spk-agent on that host with its token)';
  }
  return renderTable(
    ['NAME', 'CREATED', 'LAST SEEN'],
    satellites.map((s) => [s.name, s.createdAt, s.lastSeenAt ?? 'never']),
  );
}

/** The stderr note that goes with a new satellite token: that it is shown once, and how the agent takes it. */
export function satelliteCreatedNote(name: string, serverUrl: string): string {
  return [
    `created satellite "${name}"; its token (on stdout) is shown only this once, so store it now.`,
    'Give it to the agent on that host in the environment (argv is visible to other users):',
    `  SPK_AGENT_TOKEN=<token> spk-agent --server ${serverUrl} --data-dir <dir>`,
    `or as a flag: spk-agent --server ${serverUrl} --token <token>`,
    '',
  ].join('\n');
}

export async function runSatellitesCommand(ctx: CommandContext, command: SatellitesCommand): Promise<void> {
  switch (command.kind) {
    case 'satellites.create': {
      const { name, token } = await ctx.client.satellites.create({ name: command.name });
      // --json is exactly name and token: the one record a provisioning script needs to keep.
      return printSecretOnce(ctx, { value: token, note: satelliteCreatedNote(name, ctx.serverUrl), record: { name, token } });
    }
    case 'satellites.list': {
      const result = await ctx.client.satellites.list();
      return printResult(ctx, result, formatSatelliteList(result.satellites));
    }
    case 'satellites.revoke': {
      const result = await ctx.client.satellites.revoke({ name: command.name });
      return printResult(ctx, result, `revoked satellite "${result.revoked.name}"; no server accepts its token any more and its open watch streams are closed`);
    }
  }
}
