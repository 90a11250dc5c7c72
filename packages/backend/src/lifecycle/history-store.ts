// The history of committed desired states (the manifests table): every install's manifest with the
// declared set it came from, who committed it and when. Rollback makes an entry the desired state
// again; pruning keeps the newest N plus pinned ones; blob GC and tree GC keep what entries reference.
import { and, desc, eq, like, sql } from 'drizzle-orm';
import { lockfileHashRefSchema, SpkError, type DeclaredSnapshotEntry, type HistoryEntry, type Manifest } from '@spk/common';
import type { Db } from '../db/database.ts';
import { installState, manifests } from '../db/schema.ts';
import { markBlobsReferenced, setDesiredByRollback } from '../stores/install-state-store.ts';
import { replaceDeclaredSet } from '../stores/package-store.ts';
import { countUnindexed } from '../stores/blob-index-store.ts';

const FULL_HASH = /^[a-f0-9]{64}$/;
/** Matches listed in an ambiguous-prefix refusal. */
const AMBIGUOUS_SHOWN = 5;

/** The desired hash, as a scalar subquery: never null-safe-equal to a row when there is none. */
const desiredHash = sql`(select ${installState.lockfileHash} from ${installState} where ${installState.id} = 1)`;

const entryColumns = {
  lockfileHash: manifests.lockfileHash,
  committedAt: manifests.committedAt,
  committedBy: manifests.committedBy,
  source: manifests.source,
  packages: sql<number>`jsonb_array_length(${manifests.manifest})`.mapWith(Number),
  totalSize: manifests.totalSize,
  declared: manifests.declared,
  pinned: manifests.pinned,
  desired: sql<boolean>`coalesce(${manifests.lockfileHash} = ${desiredHash}, false)`,
};

interface EntryRow {
  lockfileHash: string;
  committedAt: Date;
  committedBy: string | null;
  source: HistoryEntry['source'];
  packages: number;
  totalSize: number;
  declared: DeclaredSnapshotEntry[] | null;
  pinned: boolean;
  desired: boolean;
}

const toEntry = (row: EntryRow): HistoryEntry => ({ ...row, committedAt: row.committedAt.toISOString() });

/** The refusal for a reference no kept entry matches. */
export const notInHistory = (ref: string) =>
  new SpkError(
    'NOT_FOUND',
    `no committed state ${ref} in the history (it keeps the last N and pinned ones); \`spk history\` lists them`,
    { lockfileHash: ref },
  );

export function createHistoryStore(db: Db) {
  async function get(lockfileHash: string): Promise<(HistoryEntry & { manifest: Manifest }) | null> {
    const [row] = await db
      .select({ ...entryColumns, manifest: manifests.manifest })
      .from(manifests)
      .where(eq(manifests.lockfileHash, lockfileHash));
    return row ? { ...toEntry(row), manifest: row.manifest } : null;
  }

  return {
    /** Newest first (committedAt desc), `desired` set on the desired one. */
    async list(): Promise<HistoryEntry[]> {
      const rows = await db.select(entryColumns).from(manifests).orderBy(desc(manifests.committedAt), desc(manifests.lockfileHash));
      return rows.map(toEntry);
    },

    /** The full hash a reference (full hash or unique prefix of 7+ hex digits) names; NOT_FOUND or INVALID_INPUT (ambiguous) otherwise. */
    async resolveRef(ref: string): Promise<string> {
      const parsed = lockfileHashRefSchema.safeParse(ref);
      if (!parsed.success) {
        throw new SpkError('INVALID_INPUT', `"${ref}" is not a lockfile hash: give the full hash or a unique prefix of at least 7 hex digits, as \`spk history\` prints them`);
      }
      // The schema allows only hex digits, so the prefix carries no LIKE wildcard.
      const where = FULL_HASH.test(ref) ? eq(manifests.lockfileHash, ref) : like(manifests.lockfileHash, `${ref}%`);
      const rows = await db
        .select({ lockfileHash: manifests.lockfileHash })
        .from(manifests)
        .where(where)
        .orderBy(desc(manifests.committedAt))
        .limit(AMBIGUOUS_SHOWN + 1);
      if (rows.length === 0) throw notInHistory(ref);
      if (rows.length > 1) {
        const shown = rows.slice(0, AMBIGUOUS_SHOWN).map((r) => r.lockfileHash.slice(0, 12));
        const more = rows.length > AMBIGUOUS_SHOWN ? ', ...' : '';
        throw new SpkError('INVALID_INPUT', `the prefix ${ref} matches several committed states (${shown.join(', ')}${more}); give more digits of the hash`, {
          matches: rows.map((r) => r.lockfileHash),
        });
      }
      return rows[0]!.lockfileHash;
    },

    get,

    async setPinned(lockfileHash: string, pinned: boolean): Promise<HistoryEntry> {
      const updated = await db.update(manifests).set({ pinned }).where(eq(manifests.lockfileHash, lockfileHash)).returning({ lockfileHash: manifests.lockfileHash });
      // Pruned between the caller's resolveRef and this update.
      if (updated.length === 0) throw notInHistory(lockfileHash);
      const entry = await get(lockfileHash);
      if (!entry) throw notInHistory(lockfileHash);
      const { manifest: _manifest, ...rest } = entry;
      return rest;
    },

    /** Deletes entries beyond the `keep` newest that are neither pinned nor desired; returns how many. */
    async prune(keep: number): Promise<number> {
      if (!Number.isInteger(keep) || keep < 1) throw new SpkError('INVALID_INPUT', `the history must keep at least 1 entry (got ${keep}); check SPK_HISTORY_KEEP`);
      const newest = db
        .select({ lockfileHash: manifests.lockfileHash })
        .from(manifests)
        .orderBy(desc(manifests.committedAt), desc(manifests.lockfileHash))
        .limit(keep);
      const deleted = await db
        .delete(manifests)
        .where(
          and(
            eq(manifests.pinned, false),
            // install_state references the desired row: it is never pruned, however old.
            sql`${manifests.lockfileHash} is distinct from ${desiredHash}`,
            sql`${manifests.lockfileHash} not in (${newest})`,
          ),
        )
        .returning({ lockfileHash: manifests.lockfileHash });
      return deleted.length;
    },

    /** Every integrity a kept entry (the desired one included) references. */
    async keptIntegrities(): Promise<Set<string>> {
      const rows = await db
        .selectDistinct({ integrity: sql<string>`jsonb_array_elements(${manifests.manifest}) ->> 'integrity'` })
        .from(manifests);
      return new Set(rows.map((row) => row.integrity));
    },

    /** How many of the blobs `manifest` references the blob index lacks (deleted by blob GC, or never published). */
    countUnindexedBlobs: (manifest: Manifest): Promise<{ missing: number; total: number }> =>
      countUnindexed(
        db,
        manifest.map((entry) => entry.integrity),
      ),

    /**
     * Makes the entry `lockfileHash` the desired state again, in one transaction: the declared set it
     * came from replaces the current one (unless `declared` is null: then the current one stays), the
     * install state points at it with a new generation (fencing off any installer elected before),
     * and the entry becomes the newest, committed by `committedBy` through a rollback.
     */
    async commitRollback(input: { lockfileHash: string; declared: DeclaredSnapshotEntry[] | null; committedBy: string | null; at: Date }): Promise<{ generation: number }> {
      return db.transaction(async (tx) => {
        const updated = await tx
          .update(manifests)
          .set({ committedAt: input.at, committedBy: input.committedBy, source: 'rollback' })
          .where(eq(manifests.lockfileHash, input.lockfileHash))
          .returning({ lockfileHash: manifests.lockfileHash });
        if (updated.length === 0) throw notInHistory(input.lockfileHash);
        if (input.declared) await replaceDeclaredSet(tx, input.declared, input.at);
        const generation = await setDesiredByRollback(tx, input.lockfileHash, input.at);
        await markBlobsReferenced(tx, input.lockfileHash);
        return { generation };
      });
    },
  };
}

export type HistoryStore = ReturnType<typeof createHistoryStore>;
