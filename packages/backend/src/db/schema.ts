// Every table the backend owns. drizzle-kit generates the SQL migrations in /drizzle from this.
import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { InstallProgress, Manifest, Permission, StateError } from '@spk/common';

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

/** Every manifest ever committed, by hash: the desired state and its history (GC reads it). */
export const manifests = pgTable('manifests', {
  lockfileHash: text('lockfile_hash').primaryKey(),
  manifest: jsonb('manifest').$type<Manifest>().notNull(),
  totalSize: bytes('total_size').notNull(),
  committedAt: ts('committed_at').notNull().defaultNow(),
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
});

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
