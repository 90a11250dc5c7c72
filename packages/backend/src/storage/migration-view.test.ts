import { describe, expect, it } from 'vitest';
import type { MigrationRow } from './migration-store.ts';
import { etaSeconds } from './migration-view.ts';

const row = (patch: Partial<MigrationRow>): MigrationRow => ({
  id: 1,
  source: 'postgres',
  target: 'filesystem',
  status: 'copying',
  deleteSource: false,
  total: 100,
  done: 50,
  totalBytes: 1_000,
  bytesDone: 500,
  errors: [],
  errorCount: 0,
  resumed: 0,
  lastError: null,
  requestedBy: null,
  startedAt: new Date(0),
  updatedAt: new Date(100_000),
  finishedAt: null,
  ...patch,
});

describe('migration ETA', () => {
  it('counts from where the run on this instance (re)started', () => {
    // 200 bytes in the 10 s since the resume (300 were done before it): 500 left at 20 B/s.
    expect(etaSeconds(row({}), { migrationId: 1, at: 50_000, bytesDone: 300 }, 60_000)).toBe(25);
  });

  it('falls back to the average since the migration started when another instance runs it', () => {
    // 500 bytes in 100 s: 500 left at 5 B/s.
    expect(etaSeconds(row({}), { migrationId: 2, at: 0, bytesDone: 0 }, 200_000)).toBe(100);
    expect(etaSeconds(row({}), null, 200_000)).toBe(100);
  });

  it('is unknown before anything was copied, and null once copying is over', () => {
    expect(etaSeconds(row({ bytesDone: 300 }), { migrationId: 1, at: 50_000, bytesDone: 300 }, 60_000)).toBeNull();
    expect(etaSeconds(row({ bytesDone: 0 }), null, 60_000)).toBeNull();
    expect(etaSeconds(row({ status: 'switching', bytesDone: 1_000 }), null, 60_000)).toBeNull();
  });
});
