// Every table the backend owns. drizzle-kit generates the SQL migrations in /drizzle from this.
import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { DeclaredSnapshotEntry, HostDisk, InstallProgress, Manifest, Permission, StateError } from '@spk/common';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bytes = (name: string) => bigint(name, { mode: 'number' });

export const declaredPackages = pgTable('declared_packages', {
  name: text('name').primaryKey(),
  range: text('range').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Singleton rows (id = 1) hold operator settings. */
export const registryConfig = pgTable('registry_config', {
  id: integer('id').primaryKey(),
  /** The default registry, kept in step with `settings.registry`. */
  url: text('url').notNull(),
  /** Legacy plaintext token (before registry settings were encrypted): migrated into `settings` and cleared on start. */
  token: text('token'),
  /** The whole registry configuration; every secret in it is sealed (AES-256-GCM, see secrets/secret-box.ts). */
  settings: jsonb('settings').$type<Record<string, unknown>>(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Package names whose lifecycle scripts hosts may run. */
export const installScriptsAllowed = pgTable('install_scripts_allowed', {
  name: text('name').primaryKey(),
  allowedAt: ts('allowed_at').notNull().defaultNow(),
});

export const storageConfig = pgTable('storage_config', {
  id: integer('id').primaryKey(),
  activeStore: text('active_store').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const sizeCaps = pgTable('size_caps', {
  id: integer('id').primaryKey(),
  warnTotalBytes: bytes('warn_total_bytes').notNull(),
  blockTotalBytes: bytes('block_total_bytes').notNull(),
  maxPackageBytes: bytes('max_package_bytes').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * The history of committed desired states, by hash: the desired one and the kept ones (the last
 * SPK_HISTORY_KEEP plus pinned). Blob GC protects every blob a row here references.
 */
export const manifests = pgTable('manifests', {
  lockfileHash: text('lockfile_hash').primaryKey(),
  manifest: jsonb('manifest').$type<Manifest>().notNull(),
  totalSize: bytes('total_size').notNull(),
  /** When it last became the desired state. */
  committedAt: ts('committed_at').notNull().defaultNow(),
  /** Who committed it last (a principal id); null for rows from before history was kept. */
  committedBy: text('committed_by'),
  source: text('source', { enum: ['install', 'rollback'] }).notNull().default('install'),
  /** The declared set it was installed from (what a rollback restores); null for older rows. */
  declared: jsonb('declared').$type<DeclaredSnapshotEntry[]>(),
  pinned: boolean('pinned').notNull().default(false),
});

/** Singleton: the committed desired state (lockfileHash) plus the latest install attempt. */
export const installState = pgTable('install_state', {
  id: integer('id').primaryKey(),
  status: text('status', { enum: ['idle', 'installing', 'failed'] }).notNull(),
  lockfileHash: text('lockfile_hash').references(() => manifests.lockfileHash),
  warnings: jsonb('warnings').$type<string[]>().notNull().default([]),
  error: jsonb('error').$type<StateError | null>(),
  progress: jsonb('progress').$type<InstallProgress | null>(),
  startedAt: ts('started_at'),
  finishedAt: ts('finished_at'),
  committedAt: ts('committed_at'),
  /** Fencing token: bumped each time an installer is elected; only its holder may write the state. */
  generation: bigint('generation', { mode: 'number' }).notNull().default(0),
});

export const blobIndex = pgTable('blob_index', {
  integrity: text('integrity').primaryKey(),
  size: bytes('size').notNull(),
  storeId: text('store_id').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  /** Since when neither the desired state nor the kept history references it (set and cleared by blob GC and commits). */
  unreferencedSince: ts('unreferenced_since'),
});

/** Copies of indexed blobs verified in another store by a storage migration: its durable progress. */
export const blobReplicas = pgTable(
  'blob_replicas',
  {
    integrity: text('integrity').notNull(),
    storeId: text('store_id').notNull(),
    verifiedAt: ts('verified_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.integrity, table.storeId] })],
);

/** Storage migrations, newest last; at most one is active (copying, switching or deleting-source), started under the installer lock. */
export const storageMigrations = pgTable('storage_migrations', {
    id: serial('id').primaryKey(),
    source: text('source').notNull(),
    target: text('target').notNull(),
    status: text('status', { enum: ['copying', 'switching', 'deleting-source', 'done', 'failed'] }).notNull(),
    deleteSource: boolean('delete_source').notNull(),
    total: integer('total').notNull().default(0),
    done: integer('done').notNull().default(0),
    totalBytes: bytes('total_bytes').notNull().default(0),
    bytesDone: bytes('bytes_done').notNull().default(0),
    errors: jsonb('errors').$type<Array<{ integrity: string; message: string }>>().notNull().default([]),
    errorCount: integer('error_count').notNull().default(0),
    resumed: integer('resumed').notNull().default(0),
    lastError: text('last_error'),
    requestedBy: text('requested_by'),
    startedAt: ts('started_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
});

/** Blob GC runs, newest last. */
export const gcRuns = pgTable(
  'gc_runs',
  {
    id: serial('id').primaryKey(),
    trigger: text('trigger', { enum: ['manual', 'schedule'] }).notNull(),
    requestedBy: text('requested_by'),
    status: text('status', { enum: ['running', 'done', 'failed', 'interrupted'] }).notNull(),
    startedAt: ts('started_at').notNull(),
    finishedAt: ts('finished_at'),
    durationMs: integer('duration_ms'),
    blobsDeleted: integer('blobs_deleted').notNull().default(0),
    bytesFreed: bytes('bytes_freed').notNull().default(0),
    blobsMarked: integer('blobs_marked').notNull().default(0),
    historyPruned: integer('history_pruned').notNull().default(0),
    errors: jsonb('errors').$type<string[]>().notNull().default([]),
  },
  (table) => [index('gc_runs_started_at').on(table.startedAt)],
);

/** The bytes of the PostgreSQL blob store. */
export const blobData = pgTable('blob_data', {
  integrity: text('integrity').primaryKey(),
  bytes: bytea('bytes').notNull(),
});

export const hostStatus = pgTable('host_status', {
  hostId: text('host_id').primaryKey(),
  kind: text('kind', { enum: ['core', 'satellite'] }).notNull(),
  lockfileHash: text('lockfile_hash'),
  convergedAt: ts('converged_at'),
  lastError: text('last_error'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  /** The satellite that owns this row (its reports alone may write it); null for a core instance. */
  satellite: text('satellite'),
  agentVersion: text('agent_version'),
  hostname: text('hostname'),
  /** What the satellite's last reconcile pulled; null when it did not say. */
  pullBlobs: integer('pull_blobs'),
  pullBytes: bytes('pull_bytes'),
  /** Trees, cache bytes and the last tree GC pass the host reported; null until it did. */
  disk: jsonb('disk').$type<HostDisk>(),
});

/**
 * API tokens shared by every core instance, stored as the sha256 of the token (never the token).
 * A revoked token keeps its row, so a restart with the same SPK_ADMIN_TOKEN cannot bring it back;
 * its name is free again for a new token.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    name: text('name').notNull(),
    permissions: jsonb('permissions').$type<Permission[]>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (table) => [uniqueIndex('api_tokens_active_name').on(table.name).where(sql`${table.revokedAt} is null`)],
);

/**
 * Satellite identities, like api_tokens: the sha256 of each token (never the token), a revoked row
 * kept so its token stays refused, and a name that is free again once its holder is revoked.
 */
export const satellites = pgTable(
  'satellites',
  {
    tokenHash: text('token_hash').primaryKey(),
    name: text('name').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (table) => [uniqueIndex('satellites_active_name').on(table.name).where(sql`${table.revokedAt} is null`)],
);
