import type { SizeCaps } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.ts';
import { commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { formatCaps, runCapsCommand } from './caps.ts';

const MiB = 1024 ** 2;
const CURRENT: SizeCaps = { warnTotalBytes: 150 * MiB, blockTotalBytes: 300 * MiB, maxPackageBytes: 100 * MiB };

function context(json = false) {
  const get = recordingProcedure(() => CURRENT);
  const set = recordingProcedure((input: SizeCaps) => input);
  const { ctx, out } = commandContext({ sizeCaps: { get, set } }, { json });
  return { ctx, out, sent: set.inputs };
}

describe('runCapsCommand', () => {
  it('prints each cap as a size and in bytes', async () => {
    const { ctx, out } = context();
    await runCapsCommand(ctx, { kind: 'caps.get' });
    expect(out.join('')).toBe(
      ['warn total:   150.0 MiB (157286400 bytes)', 'block total:  300.0 MiB (314572800 bytes)', 'max package:  100.0 MiB (104857600 bytes)', ''].join('\n'),
    );
    expect(formatCaps(CURRENT)).toBe(out.join('').trimEnd());
  });

  it('sends the caps given and keeps the others as the server has them', async () => {
    const { ctx, out, sent } = context();
    await runCapsCommand(ctx, { kind: 'caps.set', warnTotalBytes: 200 * MiB, blockTotalBytes: undefined, maxPackageBytes: 50 * MiB });
    expect(sent).toEqual([{ warnTotalBytes: 200 * MiB, blockTotalBytes: 300 * MiB, maxPackageBytes: 50 * MiB }]);
    expect(out.join('')).toContain('size caps set\nwarn total:   200.0 MiB');
  });

  it('refuses a warn total above the block total in the words of the flags, before sending', async () => {
    const { ctx, sent } = context();
    const error = await runCapsCommand(ctx, { kind: 'caps.set', warnTotalBytes: 400 * MiB, blockTotalBytes: undefined, maxPackageBytes: undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      '--warn-total (400.0 MiB) is above the current block total (300.0 MiB): an install would be refused before it could warn; lower --warn-total or raise --block-total',
    );
    expect(sent).toEqual([]);
  });

  it('prints the raw caps under --json', async () => {
    const { ctx, out } = context(true);
    await runCapsCommand(ctx, { kind: 'caps.get' });
    expect(JSON.parse(out.join(''))).toEqual(CURRENT);
  });
});
