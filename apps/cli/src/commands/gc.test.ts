import type { GcRun, GcRunResult, GcState } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../args.ts';
import { describeError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { runGcCommand } from './gc.ts';
import { helpText } from './help.ts';

const NOW = new Date('2025-01-02T03:10:00.000Z');

function run(overrides: Partial<GcRun> = {}): GcRun {
  return {
    id: 7,
    trigger: 'manual',
    requestedBy: 'admin',
    status: 'done',
    startedAt: '2025-01-02T03:09:58.000Z',
    finishedAt: '2025-01-02T03:09:59.250Z',
    durationMs: 1250,
    blobsDeleted: 3,
    bytesFreed: 3 * 1024 * 1024,
    blobsMarked: 2,
    historyPruned: 1,
    errors: [],
    ...overrides,
  };
}

const collection = { at: '2025-01-02T03:09:59.000Z', trees: 2, extracted: 5, blobs: 4, bytesFreed: 2048, stalePins: 1, errors: [] };
const result: GcRunResult = { run: run(), host: { hostId: 'core-1', collection } };

const state: GcState = {
  settings: { blobGraceMs: 24 * 3600_000, intervalMs: 6 * 3600_000, historyKeep: 20, treeGraceMs: 600_000 },
  nextRunAt: '2025-01-02T06:10:00.000Z',
  pending: { blobs: 2, bytes: 4096, nextEligibleAt: '2025-01-03T03:00:00.000Z' },
  runs: [run(), run({ id: 6, trigger: 'schedule', requestedBy: null, status: 'failed', durationMs: null, blobsDeleted: 0, bytesFreed: 0, errors: ['s3 timed out\nstack', 'x'] })],
};

describe('spk gc parsing', () => {
  it('is a command of its own and a group with `state`', () => {
    expect(parseCliArgs(['gc']).command).toEqual({ kind: 'gc.run' });
    expect(parseCliArgs(['gc', '--json'])).toMatchObject({ command: { kind: 'gc.run' }, global: { json: true } });
    expect(parseCliArgs(['gc', 'state', '--json']).command).toEqual({ kind: 'gc.state' });
    expect(() => parseCliArgs(['gc', 'stat'])).toThrow('unknown sub-command "gc stat"; did you mean "gc state"?');
    expect(parseCliArgs(['gc', '--help']).command).toEqual({ kind: 'help', topic: 'gc' });
  });

  it('names `spk gc state` in the help of `spk gc`', () => {
    expect(helpText('gc')).toMatch(/\nSub-commands:\n {2}spk gc state +the GC settings/);
  });
});

describe('runGcCommand', () => {
  it("prints the run and the answering host's tree collection", async () => {
    const gcRun = recordingProcedure(() => result);
    const { ctx, out } = commandContext({ gc: { run: gcRun } });
    await runGcCommand(ctx, { kind: 'gc.run' });
    expect(gcRun.inputs).toHaveLength(1);
    expect(out.join('')).toBe(
      [
        'blob GC run 7 (manual, by admin): done in 1.3 s',
        '  deleted:         3 blobs, 3.0 MiB freed',
        '  marked:          2 blobs newly unreferenced (deleted once past the grace)',
        '  history pruned:  1 entry',
        '  errors:          none',
        'host core-1 trees: 2 retired trees deleted, 5 extracted packages and 4 cached blobs removed, 2.0 KiB freed; 1 stale run pin ignored',
        '',
      ].join('\n'),
    );
  });

  it('prints the raw result for --json', async () => {
    const { ctx, out } = commandContext({ gc: { run: async () => result } }, { json: true });
    await runGcCommand(ctx, { kind: 'gc.run' });
    expect(JSON.parse(out.join(''))).toEqual(result);
  });

  it('exits 1 with GC_FAILED when the run failed or met errors, after printing them', async () => {
    const failing: GcRunResult = { run: run({ errors: ['cannot delete sha512-x from s3: AccessDenied'] }), host: { hostId: 'core-1', collection: { ...collection, errors: ['EBUSY'] } } };
    const { ctx, out } = commandContext({ gc: { run: async () => failing } });
    const error = await runGcCommand(ctx, { kind: 'gc.run' }).catch((e: unknown) => e);
    expect(out.join('')).toContain('  error: cannot delete sha512-x from s3: AccessDenied\n');
    expect(out.join('')).toContain('  error: EBUSY\n');
    expect(error).toMatchObject({ code: 'GC_FAILED', message: expect.stringMatching(/^blob GC run 7 finished with 2 errors/) });
    expect(describeError(error, null).exitCode).toBe(EXIT.FAILURE);
    const interrupted = commandContext({ gc: { run: async () => ({ run: run({ status: 'interrupted' }), host: null }) } });
    await expect(runGcCommand(interrupted.ctx, { kind: 'gc.run' })).rejects.toMatchObject({ code: 'GC_FAILED', message: expect.stringMatching(/^blob GC run 7 ended interrupted/) });
  });

  it('shows the settings, the next run, the pending blobs and the last runs', async () => {
    const { ctx, out } = commandContext({ gc: { state: async () => state } });
    await runGcCommand(ctx, { kind: 'gc.state' }, () => NOW);
    const lines = out.join('').split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'blob GC:      every 6h, after a grace of 24h unreferenced',
      'tree GC:      on every host after each reconcile and on a timer; retired trees kept 10m',
      'history:      the last 20 kept, plus pinned ones',
      'next run:     2025-01-02T06:10:00Z (in 3h)',
      'pending:      2 blobs (4.0 KiB) waiting out the grace; the first may be deleted from 2025-01-03T03:00:00Z (in 23h)',
    ]);
    expect(lines[6]).toBe('last runs:');
    expect(lines[7]).toMatch(/^RUN\s+STARTED\s+TRIGGER\s+STATUS\s+TOOK\s+DELETED\s+FREED\s+MARKED\s+PRUNED\s+ERRORS$/);
    expect(lines.slice(8, 10).map((line) => line.split(/\s{2,}/))).toEqual([
      ['7', '2025-01-02T03:09:58Z', 'manual', 'done', '1.3 s', '3', '3.0 MiB', '2', '1', '-'],
      ['6', '2025-01-02T03:09:58Z', 'schedule', 'failed', '-', '0', '0 B', '2', '1', 's3 timed out (+1)'],
    ]);
  });

  it('says when blob GC runs only on demand and none has run yet', async () => {
    const idle: GcState = { ...state, settings: { ...state.settings, intervalMs: 0 }, nextRunAt: null, pending: { blobs: 0, bytes: 0, nextEligibleAt: null }, runs: [] };
    const { ctx, out } = commandContext({ gc: { state: async () => idle } });
    await runGcCommand(ctx, { kind: 'gc.state' }, () => NOW);
    const text = out.join('');
    expect(text).toContain('blob GC:      on demand only (SPK_BLOB_GC_INTERVAL_MS=0), after a grace of 24h unreferenced\n');
    expect(text).toContain('next run:     not scheduled on this server: run `spk gc`\n');
    expect(text).toContain('pending:      0 blobs (0 B) waiting out the grace\n');
    expect(text.endsWith('\nno blob GC run yet\n')).toBe(true);
  });
});
