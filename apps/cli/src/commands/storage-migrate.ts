// `spk storage migrate <store> [--wait]`: start a migration on the server and, with --wait, follow
// storage.state until it is done or failed, with a progress bar on a terminal (a line every few
// seconds in logs). The migration runs on the server: interrupting spk leaves it running.
import { ACTIVE_MIGRATION_STATUSES, type StorageMigration, type StorageState } from '@spk/common';
import type { Command } from '../args.ts';
import { CommandFailedError } from '../errors.ts';
import { formatMigrationDone, formatMigrationFailure, formatMigrationStarted, formatProgressBar, formatProgressLine } from '../format-storage.ts';
import { errorData } from './convergence.ts';
import { printJson, printResult, type CliIo, type CommandContext } from './context.ts';
import { createProgressLine } from './progress-line.ts';

export const MIGRATION_POLL_MS = 500;
/** Off a terminal, a progress line at most this often (and at each status change). */
export const PLAIN_LINE_EVERY_MS = 5_000;
/** The rate is shown once it was measured over at least this long. */
const RATE_WINDOW_MS = 1_000;

type MigrateCommand = Extract<Command, { kind: 'storage.migrate' }>;

export interface MigrationReporter {
  update(migration: StorageMigration): void;
  finish(): void;
}

/** `now` is a monotonic clock in ms; the rate is the bytes copied since this reporter first saw the migration. */
export function createMigrationReporter(io: Pick<CliIo, 'stderr' | 'stderrIsTTY'>, now: () => number): MigrationReporter {
  const progressLine = createProgressLine(io);
  let first: { at: number; bytes: number } | null = null;
  let lastLine: { at: number; status: string } | null = null;
  return {
    update(m) {
      const at = now();
      if (first === null) first = { at, bytes: m.bytesDone };
      const elapsed = at - first.at;
      const rate = elapsed >= RATE_WINDOW_MS ? ((m.bytesDone - first.bytes) / elapsed) * 1000 : null;
      if (io.stderrIsTTY) return progressLine.draw(formatProgressBar(m, rate));
      if (lastLine === null || lastLine.status !== m.status || at - lastLine.at >= PLAIN_LINE_EVERY_MS) {
        io.stderr(`${formatProgressLine(m, rate)}\n`);
        lastLine = { at, status: m.status };
      }
    },
    finish: () => progressLine.clear(),
  };
}

const isActive = (m: StorageMigration | null): m is StorageMigration => m !== null && ACTIVE_MIGRATION_STATUSES.includes(m.status);

/** Polls until the migration `state` shows is no longer active; answers the last state. */
async function followMigration(ctx: CommandContext, state: StorageState, reporter: MigrationReporter): Promise<StorageState & { migration: StorageMigration }> {
  const id = state.migration!.id;
  let current = state;
  try {
    for (;;) {
      const migration = current.migration;
      if (migration?.id !== id) {
        throw new CommandFailedError(
          'MIGRATION_FAILED',
          `lost track of migration ${id}: the server now reports ${migration ? `migration ${migration.id}` : 'none'}; see \`spk storage state\``,
        );
      }
      reporter.update(migration);
      if (!isActive(migration)) return { ...current, migration };
      await ctx.io.sleep(MIGRATION_POLL_MS);
      current = await ctx.client.storage.state();
    }
  } finally {
    reporter.finish();
  }
}

/** Starts the migration; with --wait, one already running to the same store is followed instead. */
async function start(ctx: CommandContext, command: MigrateCommand): Promise<StorageState> {
  try {
    return await ctx.client.storage.migrate({ targetStoreId: command.store, ...(command.deleteSource ? { deleteSource: true } : {}) });
  } catch (error) {
    if (!command.wait || errorData(error)?.code !== 'MIGRATION_IN_PROGRESS') throw error;
    const state = await ctx.client.storage.state();
    if (!isActive(state.migration) || state.migration.target !== command.store) throw error;
    if (!ctx.json) ctx.io.stderr(`a migration to ${command.store} is already running; waiting for it\n`);
    return state;
  }
}

export async function runStorageMigrateCommand(ctx: CommandContext, command: MigrateCommand, now: () => number = () => performance.now()): Promise<void> {
  const state = await start(ctx, command);
  const started = state.migration;
  if (started === null) throw new CommandFailedError('MIGRATION_FAILED', `the server answered without a migration to ${command.store}; see \`spk storage state\``);
  if (!command.wait) return printResult(ctx, state, formatMigrationStarted(started));

  const reporter = ctx.json ? { update() {}, finish() {} } : createMigrationReporter(ctx.io, now);
  const final = await followMigration(ctx, state, reporter);
  if (final.migration.status === 'failed') {
    if (ctx.json) printJson(ctx.io, final);
    throw new CommandFailedError('MIGRATION_FAILED', formatMigrationFailure(final.migration));
  }
  printResult(ctx, final, formatMigrationDone(final.migration));
}
