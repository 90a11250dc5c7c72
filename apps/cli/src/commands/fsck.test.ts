import type { FsckResult } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../args.ts';
import { CommandFailedError } from '../errors.ts';
import { commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { runFsckCommand } from './fsck.ts';

const HASH = 'ab'.repeat(32);
const clean: FsckResult = { hostId: 'core-1', currentTree: HASH, checked: { packages: 3, files: 20, trees: 1 }, damaged: [], repaired: 0 };
const damage = (repaired: boolean): FsckResult['damaged'] => [
  { package: 'ver@1.0.0', integrity: 'sha512-x', location: 'store', lockfileHash: null, file: 'index.js', kind: 'content', problem: 'its bytes differ from the tarball', repaired },
  { package: 'ver@1.0.0', integrity: 'sha512-x', location: 'tree', lockfileHash: HASH, file: 'node_modules/ver/index.js', kind: 'content', problem: 'its bytes differ from the tarball', repaired },
];

function context(report: FsckResult, json = false) {
  const fsck = recordingProcedure(() => report);
  const { ctx, out } = commandContext({ hosts: { fsck } }, { json });
  return { ctx, out, inputs: fsck.inputs };
}

describe('spk fsck', () => {
  it('parses --repair and refuses options it does not take', () => {
    expect(parseCliArgs(['fsck']).command).toEqual({ kind: 'fsck', repair: false });
    expect(parseCliArgs(['fsck', '--repair', '--json'])).toMatchObject({ command: { kind: 'fsck', repair: true }, global: { json: true } });
    expect(() => parseCliArgs(['fsck', '--wait'])).toThrow(/does not take --wait/);
  });

  it('says so when nothing is damaged, and succeeds', async () => {
    const { ctx, out, inputs } = context(clean);
    await runFsckCommand(ctx, { kind: 'fsck', repair: false });
    expect(inputs).toEqual([{ repair: false }]);
    expect(out.join('')).toBe(`host core-1: checked 3 packages (20 files) and 1 tree; current tree ${HASH.slice(0, 12)}\nno damage found\n`);
  });

  it('lists every damaged path and fails with what to do while damage remains', async () => {
    const { ctx, out } = context({ ...clean, damaged: damage(false) });
    const error = await runFsckCommand(ctx, { kind: 'fsck', repair: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error).toMatchObject({ code: 'FSCK_DAMAGE', exitCode: 1 });
    expect((error as Error).message).toContain('spk fsck --repair');
    const text = out.join('');
    expect(text).toContain('2 damaged paths:');
    expect(text).toMatch(/store\s+ver@1\.0\.0\s+index\.js\s+its bytes differ from the tarball\s+no/);
    expect(text).toContain(`tree ${HASH.slice(0, 12)}`);
  });

  it('succeeds once everything found was repaired, printing the raw report with --json', async () => {
    const report = { ...clean, damaged: damage(true), repaired: 2 };
    const { ctx, out, inputs } = context(report, true);
    await runFsckCommand(ctx, { kind: 'fsck', repair: true });
    expect(inputs).toEqual([{ repair: true }]);
    expect(JSON.parse(out.join(''))).toEqual(report);
  });
});
