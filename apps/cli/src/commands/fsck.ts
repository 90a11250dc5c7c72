// `spk fsck [--repair]`: asks the server that answers to verify its own package store and trees
// against the verified tarballs (and with --repair to rebuild what differs). Exits 1 while any
// damage remains, so a cron job or a health check can alert on it.
import type { FsckResult } from '@spk/common';
import type { Command } from '../args.ts';
import { CommandFailedError } from '../errors.ts';
import { plural, renderTable, shortHash } from '../format.ts';
import { printResult, type CommandContext } from './context.ts';

type FsckCommand = Extract<Command, { kind: 'fsck' }>;

export function formatFsckReport(report: FsckResult, repair: boolean): string {
  const { packages, files, trees } = report.checked;
  const head =
    `host ${report.hostId}: checked ${plural(packages, 'package')} (${plural(files, 'file')}) and ${plural(trees, 'tree')}; ` +
    `current tree ${shortHash(report.currentTree)}`;
  if (report.damaged.length === 0) return `${head}\nno damage found`;
  const rows = report.damaged.map((found) => [
    found.location === 'tree' ? `tree ${shortHash(found.lockfileHash)}` : found.location,
    found.package,
    found.file === '' ? '.' : found.file,
    found.problem,
    found.repaired ? 'yes' : 'no',
  ]);
  const table = renderTable(['WHERE', 'PACKAGE', 'FILE', 'PROBLEM', 'REPAIRED'], rows);
  const remaining = report.damaged.length - report.repaired;
  const tail = remaining === 0 ? `all ${plural(report.repaired, 'problem')} repaired` : repair ? `${remaining} not repaired` : 'run `spk fsck --repair` to rebuild what differs';
  return `${head}\n${plural(report.damaged.length, 'damaged path')}:\n${table}\n${tail}`;
}

export async function runFsckCommand(ctx: CommandContext, command: FsckCommand): Promise<void> {
  const report = await ctx.client.hosts.fsck({ repair: command.repair });
  printResult(ctx, report, formatFsckReport(report, command.repair));
  const remaining = report.damaged.length - report.repaired;
  if (remaining > 0) {
    const message = command.repair
      ? `${plural(remaining, 'damaged path')} on ${report.hostId} could not be repaired (see the report); check that the blob store still holds their tarballs`
      : `${plural(remaining, 'damaged path')} on ${report.hostId}; run \`spk fsck --repair\` to rebuild them`;
    throw new CommandFailedError('FSCK_DAMAGE', message);
  }
}
