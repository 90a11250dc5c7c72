// `spk registry get|set`: the npm registry the installer resolves against. The token is read
// from stdin only, so it never lands in shell history or the process list.
import type { RegistryConfigInput } from '@spk/common';
import { UsageError, type Command } from '../args.ts';
import { formatRegistry } from '../format.ts';
import { printResult, type CommandContext } from './context.ts';

type RegistryCommand = Extract<Command, { kind: `registry.${string}` }>;

/** The first line of stdin, without its line ending: `echo $TOKEN | spk registry set ...`. */
export function tokenFromStdin(input: string): string {
  const token = input.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (token === '') throw new UsageError('--token-stdin was given but stdin was empty', 'registry');
  return token;
}

export async function runRegistryCommand(ctx: CommandContext, command: RegistryCommand): Promise<void> {
  if (command.kind === 'registry.get') {
    const config = await ctx.client.registry.get();
    printResult(ctx, config, formatRegistry(config));
    return;
  }
  const input: RegistryConfigInput = { url: command.url };
  if (command.tokenStdin) {
    if (ctx.io.stdinIsTTY) ctx.io.stderr('reading the registry token from stdin; end with Ctrl-D\n');
    input.token = tokenFromStdin(await ctx.io.readStdin());
  } else if (command.clearToken) {
    input.token = null;
  }
  const config = await ctx.client.registry.set(input);
  printResult(ctx, config, `registry set\n${formatRegistry(config)}`);
}
