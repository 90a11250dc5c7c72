// `spk gc` and `spk gc state`: run blob GC now (the server also collects its own retired trees)
// and show what GC is set to do. A run that failed or met errors exits 1, so a cron job notices.
import type { Command } from '../args.ts';
import { CommandFailedError } from '../errors.ts';
import { formatGcResult, formatGcState, gcProblems } from '../format-gc.ts';
import { plural } from '../format.ts';
import { printResult, type CommandContext } from './context.ts';

type GcCommand = Extract<Command, { kind: 'gc.run' | 'gc.state' }>;

export async function runGcCommand(ctx: CommandContext, command: GcCommand, now: () => Date = () => new Date()): Promise<void> {
  if (command.kind === 'gc.state') {
    const state = await ctx.client.gc.state();
    return printResult(ctx, state, formatGcState(state, now()));
  }
  const result = await ctx.client.gc.run();
  printResult(ctx, result, formatGcResult(result));
  const problems = gcProblems(result);
  if (result.run.status !== 'done' || problems > 0) {
    const what = result.run.status === 'done' ? 'finished' : `ended ${result.run.status}`;
    throw new CommandFailedError(
      'GC_FAILED',
      `blob GC run ${result.run.id} ${what} with ${plural(problems, 'error')} (see its errors); what was not collected is retried on the next run. Check the server log and \`spk gc state\``,
    );
  }
}
