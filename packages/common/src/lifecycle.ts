// Lifecycle of what installs leave behind: the history of committed desired states (and rollback
// to one of them), garbage collection of trees on every host and of blobs cluster-wide, and
// storage migration between blob stores. The shapes the API, the CLI and the hosts share.
import * as z from 'zod';
import { blobStoreIdSchema } from './config.ts';
import { installStateSchema } from './install-state.ts';
import { lockfileHashSchema } from './manifest.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Committed desired states kept in the history besides the pinned ones (SPK_HISTORY_KEEP). */
export const DEFAULT_HISTORY_KEEP = 20;
/** A retired tree is deleted once retired this long and no live run pins it (SPK_TREE_GC_GRACE_MS). */
export const DEFAULT_TREE_GC_GRACE_MS = 10 * MINUTE;
/** How often a host collects retired trees besides after every reconcile (SPK_TREE_GC_INTERVAL_MS). */
export const DEFAULT_TREE_GC_INTERVAL_MS = 5 * MINUTE;
/** A blob is deleted once unreferenced this long (SPK_BLOB_GC_GRACE_MS). */
export const DEFAULT_BLOB_GC_GRACE_MS = 24 * HOUR;
/** How often blob GC is scheduled; 0 turns the schedule off (SPK_BLOB_GC_INTERVAL_MS). */
export const DEFAULT_BLOB_GC_INTERVAL_MS = 6 * HOUR;
/** Blobs copied at once by a storage migration (SPK_MIGRATION_CONCURRENCY). */
export const DEFAULT_MIGRATION_CONCURRENCY = 4;

const iso = z.iso.datetime();
const count = z.number().int().nonnegative();

/** A declared package as it was when a desired state was committed: what a rollback restores. */
export const declaredSnapshotEntrySchema = z.object({ name: z.string(), range: z.string(), enabled: z.boolean() });
export type DeclaredSnapshotEntry = z.infer<typeof declaredSnapshotEntrySchema>;

export const HISTORY_SOURCES = ['install', 'rollback'] as const;

export const historyEntrySchema = z.object({
  lockfileHash: lockfileHashSchema,
  /** When it last became the desired state (an install or a rollback to it). */
  committedAt: iso,
  /** The principal that committed it (token or satellite name); null when not recorded. */
  committedBy: z.string().nullable(),
  source: z.enum(HISTORY_SOURCES),
  /** Entries of its manifest (package instances in the tree). */
  packages: count,
  totalSize: count,
  /** The declared set it was installed from; null for states committed before it was recorded. */
  declared: z.array(declaredSnapshotEntrySchema).nullable(),
  /** Kept whatever the history length: an operator pinned it. */
  pinned: z.boolean(),
  /** It is the desired state now. */
  desired: z.boolean(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const installHistorySchema = z.object({
  /** How many entries are kept besides pinned ones. */
  keep: z.number().int().positive(),
  /** Newest first. */
  entries: z.array(historyEntrySchema),
});
export type InstallHistory = z.infer<typeof installHistorySchema>;

/** A full lockfile hash or a unique prefix of at least 7 hex digits, as `spk history` prints them. */
export const lockfileHashRefSchema = z.string().regex(/^[a-f0-9]{7,64}$/, 'expected a lockfile hash (or a unique prefix of at least 7 hex digits)');

export const rollbackInputSchema = z.strictObject({ lockfileHash: lockfileHashRefSchema });
export type RollbackInput = z.infer<typeof rollbackInputSchema>;

export const rollbackResultSchema = z.object({
  lockfileHash: lockfileHashSchema,
  /** The desired state it replaced. */
  previousHash: lockfileHashSchema.nullable(),
  /** Declared packages restored from the history entry (null: the entry has no declared set; the current one is kept). */
  declared: z.array(declaredSnapshotEntrySchema).nullable(),
  warnings: z.array(z.string()),
  state: installStateSchema,
});
export type RollbackResult = z.infer<typeof rollbackResultSchema>;

export const historyPinInputSchema = z.strictObject({ lockfileHash: lockfileHashRefSchema, pinned: z.boolean() });
export type HistoryPinInput = z.infer<typeof historyPinInputSchema>;

/** What one host's tree GC pass did. */
export const treeCollectionSchema = z.object({
  at: iso,
  /** Retired trees deleted. */
  trees: count,
  /** Extracted packages and cached blobs deleted (no remaining tree or kept history entry needs them). */
  extracted: count,
  blobs: count,
  bytesFreed: count,
  /** Run pins found stale (process gone or older than the run timeout) and ignored. */
  stalePins: count,
  errors: z.array(z.string()),
});
export type TreeCollection = z.infer<typeof treeCollectionSchema>;

/** What a host holds on disk, reported in `hosts.status`. */
export const hostDiskSchema = z.object({
  /** Trees on disk, the current one included. */
  trees: count,
  /** Trees other than the current one (deleted once past the grace and not pinned). */
  retiredTrees: count,
  /** Trees live script runs pin. */
  pinnedTrees: count,
  /** Bytes of trees and the package cache, each file counted once however many trees link it. */
  bytes: count,
  measuredAt: iso,
  lastCollection: treeCollectionSchema.nullable(),
});
export type HostDisk = z.infer<typeof hostDiskSchema>;

export const GC_RUN_STATUSES = ['running', 'done', 'failed', 'interrupted'] as const;

export const gcRunSchema = z.object({
  id: z.number().int().positive(),
  trigger: z.enum(['manual', 'schedule']),
  /** Who asked (manual runs); null for scheduled ones. */
  requestedBy: z.string().nullable(),
  status: z.enum(GC_RUN_STATUSES),
  startedAt: iso,
  finishedAt: iso.nullable(),
  durationMs: count.nullable(),
  blobsDeleted: count,
  bytesFreed: count,
  /** Blobs found unreferenced for the first time: deleted once past the grace. */
  blobsMarked: count,
  /** History entries dropped (beyond the kept length, not pinned). */
  historyPruned: count,
  errors: z.array(z.string()),
});
export type GcRun = z.infer<typeof gcRunSchema>;

export const gcStateSchema = z.object({
  settings: z.object({
    blobGraceMs: count,
    /** 0: not scheduled, on demand only. */
    intervalMs: count,
    historyKeep: z.number().int().positive(),
    treeGraceMs: count,
  }),
  /** When this instance next runs blob GC on its schedule (null: not scheduled). */
  nextRunAt: iso.nullable(),
  /** Unreferenced blobs waiting out the grace. */
  pending: z.object({ blobs: count, bytes: count, nextEligibleAt: iso.nullable() }),
  /** Newest first. */
  runs: z.array(gcRunSchema),
});
export type GcState = z.infer<typeof gcStateSchema>;

export const gcRunResultSchema = z.object({
  run: gcRunSchema,
  /** The answering instance's own tree GC pass, run with it. */
  host: z.object({ hostId: z.string(), collection: treeCollectionSchema }).nullable(),
});
export type GcRunResult = z.infer<typeof gcRunResultSchema>;

export const MIGRATION_STATUSES = ['copying', 'switching', 'deleting-source', 'done', 'failed'] as const;
export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];
/** While a migration is in one of these, installs, rollback and blob GC are refused. */
export const ACTIVE_MIGRATION_STATUSES: readonly MigrationStatus[] = ['copying', 'switching', 'deleting-source'];

export const migrationErrorSchema = z.object({ integrity: z.string(), message: z.string() });

export const storageMigrationSchema = z.object({
  id: z.number().int().positive(),
  /** The store that was active when it started. */
  source: blobStoreIdSchema,
  target: blobStoreIdSchema,
  status: z.enum(MIGRATION_STATUSES),
  deleteSource: z.boolean(),
  /** Indexed blobs to have verified in the target, and how many are. */
  total: count,
  done: count,
  totalBytes: count,
  bytesDone: count,
  /** Blobs that could not be copied (first ones; `errorCount` has them all). */
  errors: z.array(migrationErrorSchema),
  errorCount: count,
  startedAt: iso,
  updatedAt: iso,
  finishedAt: iso.nullable(),
  /** Seconds left at the current rate; null when not copying or not yet known. */
  etaSeconds: z.number().nonnegative().nullable(),
  /** Times it was resumed after its server stopped. */
  resumed: count,
  lastError: z.string().nullable(),
});
export type StorageMigration = z.infer<typeof storageMigrationSchema>;

export const storageStateSchema = z.object({
  activeStore: blobStoreIdSchema,
  availableStores: z.array(blobStoreIdSchema),
  blobCount: count,
  totalBytes: count,
  /** Indexed blobs per store. */
  stores: z.array(z.object({ id: blobStoreIdSchema, blobs: count, bytes: count })),
  /** The running migration, else the last one; null when there never was one. */
  migration: storageMigrationSchema.nullable(),
});
export type StorageState = z.infer<typeof storageStateSchema>;

export const storageMigrateInputSchema = z.strictObject({
  targetStoreId: blobStoreIdSchema,
  /** Delete each blob from its old store once the switch is done (default: SPK_MIGRATION_DELETE_SOURCE). */
  deleteSource: z.boolean().optional(),
});
export type StorageMigrateInput = z.infer<typeof storageMigrateInputSchema>;
