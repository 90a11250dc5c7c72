// `spk caps get|set`: the size caps every install is checked against. `set` changes only the caps
// it is given: it reads the others from the server and sends all three, as the API takes them.
import type { SizeCaps } from '@spk/common';
import { UsageError, type Command } from '../args.ts';
import { formatBytes } from '../format.ts';
import { printResult, type CommandContext } from './context.ts';

type CapsCommand = Extract<Command, { kind: `caps.${string}` }>;

const CAP_LABELS: ReadonlyArray<{ key: keyof SizeCaps; label: string }> = [
  { key: 'warnTotalBytes', label: 'warn total' },
  { key: 'blockTotalBytes', label: 'block total' },
  { key: 'maxPackageBytes', label: 'max package' },
];

export function formatCaps(caps: SizeCaps): string {
  const width = Math.max(...CAP_LABELS.map(({ label }) => `${label}:`.length)) + 2;
  return CAP_LABELS.map(({ key, label }) => `${`${label}:`.padEnd(width)}${formatBytes(caps[key])} (${caps[key]} bytes)`).join('\n');
}

/** The caps after the change; refuses, in the CLI's own words, a warn total above the block total. */
export function mergeCaps(current: SizeCaps, command: Extract<CapsCommand, { kind: 'caps.set' }>): SizeCaps {
  const next: SizeCaps = {
    warnTotalBytes: command.warnTotalBytes ?? current.warnTotalBytes,
    blockTotalBytes: command.blockTotalBytes ?? current.blockTotalBytes,
    maxPackageBytes: command.maxPackageBytes ?? current.maxPackageBytes,
  };
  if (next.warnTotalBytes > next.blockTotalBytes) {
    const side = (given: number | undefined, flag: string, bytes: number) => `${given === undefined ? `the current ${flag.slice(2).replace('-', ' ')}` : flag} (${formatBytes(bytes)})`;
    throw new UsageError(
      `${side(command.warnTotalBytes, '--warn-total', next.warnTotalBytes)} is above ${side(command.blockTotalBytes, '--block-total', next.blockTotalBytes)}: ` +
        'an install would be refused before it could warn; lower --warn-total or raise --block-total',
      'caps set',
    );
  }
  return next;
}

export async function runCapsCommand(ctx: CommandContext, command: CapsCommand): Promise<void> {
  const current = await ctx.client.sizeCaps.get();
  if (command.kind === 'caps.get') {
    printResult(ctx, current, formatCaps(current));
    return;
  }
  const saved = await ctx.client.sizeCaps.set(mergeCaps(current, command));
  printResult(ctx, saved, `size caps set\n${formatCaps(saved)}`);
}
