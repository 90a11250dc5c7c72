import type { HistoryEntry, InstallHistory } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../args.ts';
import { helpText } from './help.ts';
import { commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { runHistoryCommand } from './history.ts';

const NEW = 'ab'.repeat(32);
const OLD = 'cd'.repeat(32);

function entry(lockfileHash: string, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    lockfileHash,
    committedAt: '2025-01-02T03:04:05.678Z',
    committedBy: 'admin',
    source: 'install',
    packages: 3,
    totalSize: 2048,
    declared: [{ name: 'zod', range: '^3.23', enabled: true }],
    pinned: false,
    desired: false,
    ...overrides,
  };
}

const history: InstallHistory = {
  keep: 20,
  entries: [entry(NEW, { desired: true, source: 'rollback', committedBy: null }), entry(OLD, { pinned: true, packages: 1, totalSize: 5 * 1024 * 1024 })],
};

describe('spk history parsing', () => {
  it('takes `history` alone and `history pin|unpin <hash>`, a full hash or a prefix of 7+ hex digits', () => {
    expect(parseCliArgs(['history', '--json'])).toMatchObject({ command: { kind: 'history' }, global: { json: true } });
    expect(parseCliArgs(['history', 'pin', NEW]).command).toEqual({ kind: 'history.pin', hash: NEW, pinned: true });
    expect(parseCliArgs(['history', 'unpin', 'ABCDEF0']).command).toEqual({ kind: 'history.pin', hash: 'abcdef0', pinned: false });
  });

  it('refuses a hash that is no hex or too short before calling the server, and an unknown sub-command with a suggestion', () => {
    expect(() => parseCliArgs(['history', 'pin', 'abc'])).toThrow(
      '"spk history pin" takes a lockfile hash or a unique prefix of at least 7 hex digits (as `spk history` prints them), got "abc"',
    );
    expect(() => parseCliArgs(['history', 'pin'])).toThrow('"spk history pin" needs <hash>');
    expect(() => parseCliArgs(['history', 'pinn', NEW])).toThrow('unknown sub-command "history pinn"; did you mean "history pin"?');
  });

  it('names the pin sub-commands in the help of `spk history`', () => {
    const text = helpText('history');
    expect(text).toMatch(/\nSub-commands:\n {2}spk history pin <hash> +keep a history entry/);
    expect(text).toContain('  spk history unpin <hash>');
  });
});

describe('runHistoryCommand', () => {
  it('prints the history newest first: short hash, committed at, by whom, source, packages, size, flags', async () => {
    const { ctx, out } = commandContext({ install: { history: recordingProcedure(() => history) } });
    await runHistoryCommand(ctx, { kind: 'history' });
    const lines = out.join('').split('\n');
    expect(lines[0]).toMatch(/^HASH\s+COMMITTED\s+BY\s+SOURCE\s+PACKAGES\s+SIZE\s+FLAGS$/);
    expect(lines.slice(1, 3).map((line) => line.split(/\s{2,}/))).toEqual([
      [NEW.slice(0, 12), '2025-01-02T03:04:05Z', '-', 'rollback', '3', '2.0 KiB', '*'],
      [OLD.slice(0, 12), '2025-01-02T03:04:05Z', 'admin', 'install', '1', '5.0 MiB', 'pinned'],
    ]);
    expect(lines[4]).toBe('* desired; kept: the last 20 plus pinned ones. Roll back with `spk rollback <hash>`; keep one with `spk history pin <hash>`.');
  });

  it('says how to get a first entry when the history is empty, and prints the raw history for --json', async () => {
    const empty = commandContext({ install: { history: async () => ({ keep: 20, entries: [] }) } });
    await runHistoryCommand(empty.ctx, { kind: 'history' });
    expect(empty.out.join('')).toBe('no desired state committed yet: run `spk install`\n');
    const json = commandContext({ install: { history: async () => history } }, { json: true });
    await runHistoryCommand(json.ctx, { kind: 'history' });
    expect(JSON.parse(json.out.join(''))).toEqual(history);
  });

  it('pins and unpins by the hash given, saying what that means for the entry', async () => {
    const pin = recordingProcedure((input: { lockfileHash: string; pinned: boolean }) => entry(OLD, { pinned: input.pinned }));
    const { ctx, out } = commandContext({ install: { pin } });
    await runHistoryCommand(ctx, { kind: 'history.pin', hash: 'cdcdcdc', pinned: true });
    await runHistoryCommand(ctx, { kind: 'history.pin', hash: 'cdcdcdc', pinned: false });
    expect(pin.inputs).toEqual([
      { lockfileHash: 'cdcdcdc', pinned: true },
      { lockfileHash: 'cdcdcdc', pinned: false },
    ]);
    expect(out).toEqual([
      `pinned ${OLD.slice(0, 12)} (committed 2025-01-02T03:04:05Z, 3 packages): it and its blobs are kept whatever the history length\n`,
      `unpinned ${OLD.slice(0, 12)} (committed 2025-01-02T03:04:05Z, 3 packages): it goes once it is older than the kept history length\n`,
    ]);
  });
});
