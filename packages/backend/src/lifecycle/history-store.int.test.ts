// The history of committed states on a real database: what a commit records, what pruning keeps,
// which integrities the kept entries protect, and how a hash prefix resolves.
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeclaredSnapshotEntry, Manifest } from '@spk/common';
import { blobIndex, installState, manifests } from '../db/schema.ts';
import { indexManifestBlobs } from '../testing/indexed-blobs.ts';
import { createInstallStateStore, type InstallStateStore } from '../stores/install-state-store.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import { createHistoryStore, type HistoryStore } from './history-store.ts';

const integrityOf = (label: string) => `sha512-${Buffer.from(label.padEnd(64, '.')).toString('base64')}`;
const manifestOf = (...labels: string[]): Manifest =>
  labels.map((label) => ({
    name: `pkg-${label}`,
    version: '1.0.0',
    path: `node_modules/pkg-${label}`,
    integrity: integrityOf(label),
    size: 10,
    hasInstallScript: false,
    bin: {},
    dependencies: {},
  }));
const minutes = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, n));
const DECLARED: DeclaredSnapshotEntry[] = [
  { name: 'pkg-a', range: '^1.0.0', enabled: true },
  { name: 'pkg-off', range: 'latest', enabled: false },
];

describe.each(testDrivers())('install history store (%s)', (driver) => {
  let t: TestDatabase;
  let state: InstallStateStore;
  let history: HistoryStore;

  /** Commits `manifest` as hash `hash` (a 64-hex string) at minute `at`, as an elected installer does. */
  async function commit(hash: string, manifest: Manifest, at: number, extra: { declared?: DeclaredSnapshotEntry[]; committedBy?: string } = {}) {
    // Published first, as an installer does: a commit refuses blobs the index lacks.
    await indexManifestBlobs(t.database.db, manifest);
    const generation = await state.markStarted(minutes(at));
    await state.commit({ lockfileHash: hash, manifest, totalSize: manifest.length * 10, warnings: [], at: minutes(at), generation, ...extra });
  }
  const hashes = async () => (await history.list()).map((e) => e.lockfileHash);

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    state = createInstallStateStore(t.database.db);
    history = createHistoryStore(t.database.db);
  });
  afterAll(() => t?.drop());
  // Each case starts from no history (install_state references manifests, so it goes first).
  beforeEach(async () => {
    await t.database.db.delete(installState);
    await t.database.db.delete(manifests);
    await t.database.db.delete(blobIndex);
  });

  it('records the declared set, who committed, the size and the package count of each commit, newest first', async () => {
    await commit('a'.repeat(64), manifestOf('a'), 1, { declared: DECLARED, committedBy: 'alice' });
    await commit('b'.repeat(64), manifestOf('a', 'b'), 2, { declared: [DECLARED[0]!], committedBy: 'bob' });

    expect(await history.list()).toEqual([
      {
        lockfileHash: 'b'.repeat(64),
        committedAt: minutes(2).toISOString(),
        committedBy: 'bob',
        source: 'install',
        packages: 2,
        totalSize: 20,
        declared: [DECLARED[0]],
        pinned: false,
        desired: true,
      },
      {
        lockfileHash: 'a'.repeat(64),
        committedAt: minutes(1).toISOString(),
        committedBy: 'alice',
        source: 'install',
        packages: 1,
        totalSize: 10,
        declared: DECLARED,
        pinned: false,
        desired: false,
      },
    ]);
    expect((await history.get('a'.repeat(64)))?.manifest).toEqual(manifestOf('a'));
  });

  it('a re-commit of a hash in the history makes it the newest entry, with its new committer and declared set', async () => {
    await commit('a'.repeat(64), manifestOf('a'), 1, { declared: DECLARED, committedBy: 'alice' });
    await commit('b'.repeat(64), manifestOf('b'), 2, { committedBy: 'bob' });
    const redeclared = [{ name: 'pkg-a', range: '1.0.0', enabled: true }];
    await commit('a'.repeat(64), manifestOf('a'), 3, { declared: redeclared, committedBy: 'carol' });

    const [newest] = await history.list();
    expect(newest).toMatchObject({ lockfileHash: 'a'.repeat(64), committedAt: minutes(3).toISOString(), committedBy: 'carol', declared: redeclared, desired: true });
    // A commit that does not know its declared set keeps the one recorded.
    await commit('a'.repeat(64), manifestOf('a'), 4);
    expect((await history.get('a'.repeat(64)))?.declared).toEqual(redeclared);
  });

  it('a commit restarts the grace of its blobs that blob GC had marked unreferenced, and only of those', async () => {
    const marked = minutes(0);
    await t.database.db.insert(blobIndex).values(
      ['a', 'b', 'z'].map((label) => ({ integrity: integrityOf(label), size: 10, storeId: 'postgres', unreferencedSince: marked })),
    );
    await commit('c'.repeat(64), manifestOf('a', 'b'), 1);

    const rows = await t.database.db.select({ integrity: blobIndex.integrity, since: blobIndex.unreferencedSince }).from(blobIndex);
    expect(Object.fromEntries(rows.map((r) => [r.integrity, r.since]))).toEqual({ [integrityOf('a')]: null, [integrityOf('b')]: null, [integrityOf('z')]: marked });
  });

  it('keeps the last N plus pinned entries, and never prunes the desired one however old', async () => {
    for (const [i, label] of ['1', '2', '3', '4', '5'].entries()) await commit(label.repeat(64), manifestOf(label), 10 + i);
    await history.setPinned('1'.repeat(64), true);
    // The desired state is the oldest entry: committed last, but at an earlier time.
    await commit('0'.repeat(64), manifestOf('0'), 0);

    expect(await history.prune(2)).toBe(2);
    expect(await hashes()).toEqual(['5'.repeat(64), '4'.repeat(64), '1'.repeat(64), '0'.repeat(64)]);
    expect((await history.list()).find((e) => e.desired)?.lockfileHash).toBe('0'.repeat(64));
    expect(await history.prune(2)).toBe(0);

    // What the kept entries reference, and nothing of the pruned ones.
    expect(await history.keptIntegrities()).toEqual(new Set(['5', '4', '1', '0'].map(integrityOf)));

    // Unpinned, the old entry goes with the next prune.
    expect(await history.setPinned('1'.repeat(64), false)).toMatchObject({ lockfileHash: '1'.repeat(64), pinned: false });
    expect(await history.prune(2)).toBe(1);
    expect(await hashes()).toEqual(['5'.repeat(64), '4'.repeat(64), '0'.repeat(64)]);
  });

  it('resolves a full hash or a unique prefix, and refuses an unknown or ambiguous one', async () => {
    const first = `abcdef01${'1'.repeat(56)}`;
    const second = `abcdef02${'2'.repeat(56)}`;
    await commit(first, manifestOf('x'), 1);
    await commit(second, manifestOf('y'), 2);

    expect(await history.resolveRef(first)).toBe(first);
    expect(await history.resolveRef('abcdef01')).toBe(first);
    expect(await history.resolveRef('abcdef0222')).toBe(second);
    await expect(history.resolveRef('abcdef0')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(`matches several committed states (${second.slice(0, 12)}, ${first.slice(0, 12)})`),
      details: { matches: [second, first] },
    });
    await expect(history.resolveRef('1234567')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no committed state 1234567 in the history (it keeps the last N and pinned ones); `spk history` lists them',
    });
    await expect(history.resolveRef('9'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Too short, or not hex (a LIKE wildcard included): never a query.
    for (const ref of ['abcdef', 'abcdef%', 'ABCDEF01']) await expect(history.resolveRef(ref)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(history.setPinned('9'.repeat(64), true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses to commit a manifest whose blobs left the index meanwhile (BLOB_MISSING), keeping the previous desired state', async () => {
    await commit('a'.repeat(64), manifestOf('a'), 1);
    const generation = await state.markStarted(minutes(2));
    await expect(
      state.commit({ lockfileHash: 'b'.repeat(64), manifest: manifestOf('a', 'gone'), totalSize: 20, warnings: [], at: minutes(2), generation }),
    ).rejects.toMatchObject({ code: 'BLOB_MISSING', message: expect.stringMatching(/^1 of the 2 blobs this install resolved were removed .*; trigger the install again$/) });
    expect((await state.read()).lockfileHash).toBe('a'.repeat(64));
    expect(await hashes()).toEqual(['a'.repeat(64)]);
  });

  it('counts the blobs of a manifest the blob index no longer has', async () => {
    await t.database.db.insert(blobIndex).values(['a', 'b', 'c'].map((label) => ({ integrity: integrityOf(label), size: 10, storeId: 'postgres' })));
    expect(await history.countUnindexedBlobs(manifestOf('a', 'b', 'c'))).toEqual({ missing: 0, total: 3 });
    await t.database.db.delete(blobIndex).where(inArray(blobIndex.integrity, [integrityOf('b'), integrityOf('c')]));
    expect(await history.countUnindexedBlobs(manifestOf('a', 'b', 'c'))).toEqual({ missing: 2, total: 3 });
  });
});
