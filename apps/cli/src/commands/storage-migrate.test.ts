import { ORPCError } from '@orpc/client';
import type { StorageMigrateInput, StorageMigration, StorageState } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../args.ts';
import { describeError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { captureIo, commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { runStorageCommand } from './storage.ts';
import { createMigrationReporter, MIGRATION_POLL_MS, runStorageMigrateCommand } from './storage-migrate.ts';

const MiB = 1024 * 1024;

function migration(overrides: Partial<StorageMigration> = {}): StorageMigration {
  return {
    id: 3,
    source: 'postgres',
    target: 'filesystem',
    status: 'copying',
    deleteSource: false,
    total: 100,
    done: 0,
    totalBytes: 100 * MiB,
    bytesDone: 0,
    errors: [],
    errorCount: 0,
    startedAt: '2025-01-02T03:00:00.000Z',
    updatedAt: '2025-01-02T03:00:00.000Z',
    finishedAt: null,
    etaSeconds: null,
    resumed: 0,
    lastError: null,
    ...overrides,
  };
}

const copying = (done: number, etaSeconds: number | null = null) => migration({ done, bytesDone: done * MiB, etaSeconds });
const finished = migration({ status: 'done', done: 100, bytesDone: 100 * MiB, finishedAt: '2025-01-02T03:00:42.000Z' });

function storageState(m: StorageMigration | null, activeStore = 'postgres'): StorageState {
  return {
    activeStore,
    availableStores: ['postgres', 'filesystem'],
    blobCount: 100,
    totalBytes: 100 * MiB,
    stores: [
      { id: 'postgres', blobs: 100, bytes: 100 * MiB },
      { id: 'filesystem', blobs: m?.done ?? 0, bytes: m?.bytesDone ?? 0 },
    ],
    migration: m,
  };
}

/** storage.state answers the given migrations in turn; a clock that advances one poll interval per sleep. */
function context(started: StorageMigration, polled: StorageMigration[], options: { json?: boolean; tty?: boolean } = {}) {
  let clock = 0;
  let polls = 0;
  const sleeps: number[] = [];
  const io = captureIo({
    stderrIsTTY: options.tty ?? false,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
  });
  const migrate = recordingProcedure((_input: StorageMigrateInput) => storageState(started));
  const state = async () => {
    const m = polled[Math.min(polls++, polled.length - 1)]!;
    return storageState(m, m.status === 'done' ? m.target : m.source);
  };
  const { ctx } = commandContext({ storage: { migrate, state } }, { io, json: options.json ?? false });
  return { ctx, io, migrate, sleeps, polls: () => polls, now: () => clock };
}

describe('spk storage migrate parsing', () => {
  it('takes the target store, --wait and --delete-source', () => {
    expect(parseCliArgs(['storage', 'migrate', 'filesystem']).command).toEqual({ kind: 'storage.migrate', store: 'filesystem', wait: false, deleteSource: false });
    expect(parseCliArgs(['storage', 'migrate', 's3', '--wait', '--delete-source']).command).toEqual({ kind: 'storage.migrate', store: 's3', wait: true, deleteSource: true });
    expect(parseCliArgs(['storage', 'state', '--json']).command).toEqual({ kind: 'storage.state' });
    expect(() => parseCliArgs(['storage', 'migrate'])).toThrow('"spk storage migrate" needs <store>');
    expect(() => parseCliArgs(['storage', 'migrate', 's3', '--timeout', '5'])).toThrow('"spk storage migrate" does not take --timeout');
  });
});

describe('runStorageMigrateCommand without --wait', () => {
  it("sends the target (and deleteSource only when asked), prints what started and how to follow it, and leaves the server's default alone", async () => {
    const { ctx, io, migrate, polls } = context(copying(0), []);
    await runStorageMigrateCommand(ctx, { kind: 'storage.migrate', store: 'filesystem', wait: false, deleteSource: false });
    await runStorageMigrateCommand(ctx, { kind: 'storage.migrate', store: 'filesystem', wait: false, deleteSource: true });
    expect(migrate.inputs).toEqual([{ targetStoreId: 'filesystem' }, { targetStoreId: 'filesystem', deleteSource: true }]);
    expect(polls()).toBe(0);
    expect(io.out[0]).toBe(
      'migration 3 started: 100 blobs (100.0 MiB) from postgres to filesystem; follow it with `spk storage state` or `spk storage migrate filesystem --wait`\n',
    );
  });
});

describe('runStorageMigrateCommand --wait', () => {
  it('polls storage.state until done, drawing a bar with counts, the rate (once measured over a second) and the ETA on a terminal, then says what it did', async () => {
    const { ctx, io, sleeps, now } = context(copying(0), [copying(20), copying(50, 30), migration({ ...copying(100), status: 'switching' }), finished], { tty: true });
    await runStorageMigrateCommand(ctx, { kind: 'storage.migrate', store: 'filesystem', wait: true, deleteSource: false }, now);
    expect(sleeps).toEqual([MIGRATION_POLL_MS, MIGRATION_POLL_MS, MIGRATION_POLL_MS, MIGRATION_POLL_MS]);
    expect(io.err).toEqual([
      '\r\x1b[2Kcopying [------------------------] 0/100 0% 0 B/100.0 MiB ETA -',
      '\r\x1b[2Kcopying [#####-------------------] 20/100 20% 20.0 MiB/100.0 MiB ETA -',
      '\r\x1b[2Kcopying [############------------] 50/100 50% 50.0 MiB/100.0 MiB 50.0 MiB/s ETA 30s',
      '\r\x1b[2Kswitching [########################] 100/100 100% 100.0 MiB/100.0 MiB 66.7 MiB/s',
      '\r\x1b[2Kdone [########################] 100/100 100% 100.0 MiB/100.0 MiB 50.0 MiB/s',
      '\r\x1b[2K',
    ]);
    expect(io.out).toEqual(['migrated 100 blobs (100.0 MiB) from postgres to filesystem in 42 s: filesystem is the active store; postgres still holds its copies\n']);
  });

  it('prints a plain line at each status change and every few seconds when stderr is not a terminal', async () => {
    const many = Array.from({ length: 12 }, (_, i) => copying(i + 1));
    const { ctx, io, now } = context(copying(0), [...many, finished]);
    await runStorageMigrateCommand(ctx, { kind: 'storage.migrate', store: 'filesystem', wait: true, deleteSource: false }, now);
    expect(io.err).toEqual([
      'migration 3 postgres → filesystem: copying 0/100 0% 0 B/100.0 MiB ETA -\n',
      'migration 3 postgres → filesystem: copying 10/100 10% 10.0 MiB/100.0 MiB 2.0 MiB/s ETA 45s\n',
      'migration 3 postgres → filesystem: done 100/100 100% 100.0 MiB/100.0 MiB 15.4 MiB/s\n',
    ]);
  });

  it('exits 1 with MIGRATION_FAILED listing the blobs that failed and that the source stays active', async () => {
    const failed = migration({
      status: 'failed',
      done: 98,
      errors: [{ integrity: 'sha512-aaa', message: 'integrity mismatch after copy' }],
      errorCount: 2,
      lastError: '2 blobs could not be copied',
      finishedAt: '2025-01-02T03:01:00.000Z',
    });
    const { ctx, io } = context(copying(0), [failed]);
    const error = await runStorageMigrateCommand(ctx, { kind: 'storage.migrate', store: 'filesystem', wait: true, deleteSource: false }).catch((e: unknown) => e);
    expect(io.out).toEqual([]);
    expect(error).toMatchObject({
      code: 'MIGRATION_FAILED',
      message: [
        'migration 3 from postgres to filesystem failed after 98/100 blobs: 2 blobs could not be copied',
        '  sha512-aaa: integrity mismatch after copy',
        '  … and 1 more',
        'postgres stays the active store. Fix the cause (see the server log), then run `spk storage migrate filesystem` again.',
      ].join('\n'),
    });
    expect(describeError(error, null).exitCode).toBe(EXIT.FAILURE);
  });

  it('prints the final state as JSON, with no progress, under --json, also when it failed', async () => {
    const { ctx, io } = context(copying(0), [copying(50), finished], { json: true });
    await runStorageMigrateCommand(ctx, { kind: 'storage.migrate', store: 'filesystem', wait: true, deleteSource: false });
    expect(io.err).toEqual([]);
    expect(JSON.parse(io.out.join(''))).toEqual(storageState(finished, 'filesystem'));

    const failed = migration({ status: 'failed', lastError: 'target unreachable' });
    const failing = context(copying(0), [failed], { json: true });
    await expect(runStorageMigrateCommand(failing.ctx, { kind: 'storage.migrate', store: 'filesystem', wait: true, deleteSource: false })).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(JSON.parse(failing.io.out.join('')).migration.status).toBe('failed');
  });

  it('follows a migration to the same store that is already running instead of failing on MIGRATION_IN_PROGRESS', async () => {
    const busy = new ORPCError('CONFLICT', { status: 409, message: 'a storage migration to filesystem runs', data: { code: 'MIGRATION_IN_PROGRESS' } });
    let polls = 0;
    const running = [copying(40), finished];
    const state = async () => storageState(running[Math.min(polls++, 1)]!);
    const { ctx, io } = commandContext({ storage: { migrate: async () => Promise.reject(busy), state } });
    await runStorageMigrateCommand(ctx, { kind: 'storage.migrate', store: 'filesystem', wait: true, deleteSource: false });
    expect(io.err[0]).toBe('a migration to filesystem is already running; waiting for it\n');
    expect(io.out[0]).toMatch(/^migrated 100 blobs/);

    const other = commandContext({ storage: { migrate: async () => Promise.reject(busy), state: async () => storageState(copying(40)) } });
    const error = await runStorageMigrateCommand(other.ctx, { kind: 'storage.migrate', store: 's3', wait: true, deleteSource: false }).catch((e: unknown) => e);
    expect(error).toBe(busy);
    expect(describeError(error, null).message).toBe('a storage migration to filesystem runs [MIGRATION_IN_PROGRESS]');
  });

  it('fails instead of following another migration the server reports', async () => {
    const { ctx } = context(copying(0), [migration({ id: 4 })]);
    await expect(runStorageMigrateCommand(ctx, { kind: 'storage.migrate', store: 'filesystem', wait: true, deleteSource: false })).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      message: 'lost track of migration 3: the server now reports migration 4; see `spk storage state`',
    });
  });
});

describe('createMigrationReporter', () => {
  it('shows no rate until it has watched for a second, and clears the bar at the end', () => {
    let clock = 0;
    const io = captureIo({ stderrIsTTY: true });
    const reporter = createMigrationReporter(io, () => clock);
    reporter.update(copying(10));
    clock = 500;
    reporter.update(copying(20));
    reporter.finish();
    expect(io.err).toEqual([
      '\r\x1b[2Kcopying [##----------------------] 10/100 10% 10.0 MiB/100.0 MiB ETA -',
      '\r\x1b[2Kcopying [#####-------------------] 20/100 20% 20.0 MiB/100.0 MiB ETA -',
      '\r\x1b[2K',
    ]);
  });
});

describe('spk storage state', () => {
  it('shows the active store, blobs per store and the running migration with its progress and ETA', async () => {
    const running = storageState(migration({ done: 40, bytesDone: 40 * MiB, etaSeconds: 90, resumed: 1, errorCount: 1, errors: [{ integrity: 'sha512-x', message: 'EIO' }] }));
    const { ctx, out } = commandContext({ storage: { state: async () => running } });
    await runStorageCommand(ctx, { kind: 'storage.state' });
    const lines = out.join('').split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'active store:  postgres',
      'available:     postgres, filesystem',
      'blobs:         100 (100.0 MiB)',
      'migration:     3, postgres → filesystem, copying; started 2025-01-02T03:00:00Z, resumed once',
      'progress:      40/100 40% 40.0 MiB/100.0 MiB ETA 1m 1 error',
      '  sha512-x: EIO',
    ]);
    expect(lines[7]).toMatch(/^STORE\s+BLOBS\s+BYTES$/);
    expect(lines.slice(8, 10).map((line) => line.split(/\s{2,}/))).toEqual([
      ['postgres', '100', '100.0 MiB', 'active'],
      ['filesystem', '40', '40.0 MiB'],
    ]);
  });

  it('says there never was a migration, and prints the raw state for --json', async () => {
    const { ctx, out } = commandContext({ storage: { state: async () => storageState(null) } });
    await runStorageCommand(ctx, { kind: 'storage.state' });
    expect(out.join('')).toContain('migration:     none yet (start one with `spk storage migrate <store>`)\n');
    const json = commandContext({ storage: { state: async () => storageState(finished, 'filesystem') } }, { json: true });
    await runStorageCommand(json.ctx, { kind: 'storage.state' });
    expect(JSON.parse(json.out.join(''))).toEqual(storageState(finished, 'filesystem'));
  });
});
