// `spk history` and `spk history pin|unpin <hash>`: the committed desired states, and keeping one
// (with its blobs) whatever the history length.
import type { Command } from '../args.ts';
import { formatHistory, isoSeconds } from '../format-history.ts';
import { plural, shortHash } from '../format.ts';
import { printResult, type CommandContext } from './context.ts';

type HistoryCommand = Extract<Command, { kind: 'history' | 'history.pin' }>;

export async function runHistoryCommand(ctx: CommandContext, command: HistoryCommand): Promise<void> {
  if (command.kind === 'history') {
    const history = await ctx.client.install.history();
    return printResult(ctx, history, formatHistory(history));
  }
  const entry = await ctx.client.install.pin({ lockfileHash: command.hash, pinned: command.pinned });
  const what = `${shortHash(entry.lockfileHash)} (committed ${isoSeconds(entry.committedAt)}, ${plural(entry.packages, 'package')})`;
  const human = entry.pinned
    ? `pinned ${what}: it and its blobs are kept whatever the history length`
    : `unpinned ${what}: it goes once it is older than the kept history length`;
  printResult(ctx, entry, human);
}
