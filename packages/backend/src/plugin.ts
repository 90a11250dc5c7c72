// The backend as a plugin: a host passes its services in and gets a router, HTTP routes and a
// lifecycle back. Reads no env vars and opens no ports.
import path from 'node:path';
import {
  DEFAULT_BLOB_GC_GRACE_MS,
  DEFAULT_BLOB_GC_INTERVAL_MS,
  DEFAULT_HISTORY_KEEP,
  DEFAULT_MIGRATION_CONCURRENCY,
  DEFAULT_TREE_GC_GRACE_MS,
  DEFAULT_TREE_GC_INTERVAL_MS,
} from '@spk/common';
import { bootstrapAdminTokens, type AdminTokenBootstrapInput } from './auth/admin-token-bootstrap.ts';
import { createTokenAuthenticator } from './auth/token-authenticator.ts';
import { createTokenService } from './auth/token-service.ts';
import { createActiveStoreSwitch } from './blob-stores/active-store-switch.ts';
import { createBlobStoreRegistry } from './blob-stores/blob-store.ts';
import { createFilesystemBlobStore } from './blob-stores/filesystem-blob-store.ts';
import { createPostgresBlobStore, POSTGRES_STORE_ID } from './blob-stores/postgres-blob-store.ts';
import { createBlobRoute } from './http/blob-route.ts';
import type { HttpRoute } from './http/http-route.ts';
import { createTypesRoute } from './http/types-route.ts';
import { createInstallController, DEFAULT_TYPES_AUTO_ADD } from './install/install-controller.ts';
import { createBusyProbe } from './install/busy-probe.ts';
import { createOperationLock } from './install/operation-lock.ts';
import { createPackumentCache, packumentCacheDir } from './packument-cache/packument-cache.ts';
import { createBlobGcService } from './gc/blob-gc-service.ts';
import { createHistoryService } from './lifecycle/history-service.ts';
import { createHistoryStore } from './lifecycle/history-store.ts';
import { createStorageMigration } from './storage/storage-migration.ts';
import { createS3BlobStore, type S3StoreSettings } from './blob-stores/s3-blob-store.ts';
import { createScriptsPolicy } from './install/scripts-policy.ts';
import { createCoreHost, DEFAULT_POLL_INTERVAL_MS } from './host/core-host.ts';
import type { ScriptRunOptions } from './host/core-script-runs.ts';
import { createRouter } from './router/router.ts';
import { createSecretKeyring } from './secrets/secret-keyring.ts';
import { createAgentProcedures } from './satellites/agent-procedures.ts';
import { createAgentWatch, DEFAULT_AGENT_HEARTBEAT_MS } from './satellites/agent-watch.ts';
import { createSatelliteService } from './satellites/satellite-service.ts';
import type { BackendServices } from './services.ts';
import { createBlobIndexStore } from './stores/blob-index-store.ts';
import { createHostStatusStore } from './stores/host-status-store.ts';
import { createInstallStateStore } from './stores/install-state-store.ts';
import { createPackageStore } from './stores/package-store.ts';
import { createPackageDeclarations } from './registry/package-declarations.ts';
import { createRegistryClient } from './registry/registry-client.ts';
import { createSatelliteStore } from './stores/satellite-store.ts';
import { createScriptsPolicyStore } from './stores/scripts-policy-store.ts';
import { createSettingsStore } from './stores/settings-store.ts';
import { createTokenStore } from './stores/token-store.ts';
import { createTypesService } from './types/types-service.ts';
import { createChangeSignal } from './watch/changes-stream.ts';
import { createStatusWatch } from './watch/status-watch.ts';

export interface BackendOptions {
  /** Blob store used when none was configured. */
  defaultStoreId?: string;
  /** The filesystem blob store's directory (default <dataDir>/blobs); one shared volume when several instances use that store. */
  blobDir?: string;
  /** This instance's id in `hosts.status`; the host makes it unique (e.g. hostname and port). */
  hostId?: string;
  /** How often this instance checks the durable desired state for a missed change hook, and reports its status. */
  pollIntervalMs?: number;
  /** Wait before retrying a failed reconcile the first time (default 1 s; doubles up to the poll interval). */
  firstRetryMs?: number;
  fetchConcurrency?: number;
  /** How long one registry request may go unanswered before the install fails (default 60 s). */
  registryTimeoutMs?: number;
  /**
   * The key sealing the registry secrets (SPK_SECRET_KEY: base64 of 32 bytes, the same on every instance);
   * without it, <dataDir>/secret-key, generated on first start.
   */
  secretKey?: string | undefined;
  /** What `${VAR}` in an imported .npmrc is replaced from (the server passes its environment; default: nothing is set). */
  npmrcEnv?: Readonly<Record<string, string | undefined>>;
  /** Script run limits, allowances and the run user (see docs/operations.md, "Script runs"). */
  runs?: ScriptRunOptions;
  /** Allowed lifecycle scripts on this instance's host: each script's timeout (they run as `runs.runAsUser`). */
  installScripts?: { timeoutMs?: number };
  /** How often agent.watch sends a heartbeat (with the current hash) and re-checks the satellite's token (default 15 s). */
  agentHeartbeatMs?: number;
  /** Verified blobs kept in memory for `GET /blobs` (default 128 MiB); concurrent requests for one blob share one read either way. */
  blobCacheBytes?: number;
  /** Registry package documents kept on disk under <dataDir>/packument-cache (default 256 MiB), for installs and the registry client. */
  packumentCacheBytes?: number;
  /** How long a kept package document is used without asking the registry (default 5 min; a registry's Cache-Control can shorten it; 0: ask every time). */
  packumentMaxAgeMs?: number;
  /** History, tree and blob GC, storage migration (see docs/operations.md, "History and rollback" and "Garbage collection"). */
  lifecycle?: LifecycleOptions;
  /** The S3-compatible blob store (registered as "s3" when set; see docs/operations.md, "Blob stores"). */
  s3?: S3StoreSettings | undefined;
  /** Declaration files for script editors (see docs/editor-types.md). */
  types?: {
    /** Content ceiling of one closure (default 8 MiB); over it files are dropped and `truncated` is set. */
    maxBytes?: number;
    /** Let the installer add `@types/node` and the `@types/*` companions of declared packages without own types (default on). */
    autoAdd?: boolean;
    /** The Node major whose `@types/node` the installer adds (default this process's). */
    nodeMajor?: number;
  };
}

export interface LifecycleOptions {
  /** History entries kept besides pinned ones (default 20). */
  historyKeep?: number;
  /** A retired tree is deleted once retired this long and unpinned (default 10 min); tree GC also runs this often. */
  treeGc?: { graceMs?: number; intervalMs?: number };
  /** Blobs unreferenced this long are deleted (default 24 h); scheduled every intervalMs (default 6 h, 0: on demand only). */
  blobGc?: { graceMs?: number; intervalMs?: number };
  migration?: { deleteSource?: boolean; concurrency?: number; resumeCheckMs?: number };
}

export function createScriptPackagesBackend(services: BackendServices, options: BackendOptions = {}) {
  const { database, clock, logger } = services;
  const db = database.db;
  const blobStores = createBlobStoreRegistry();
  blobStores.register(createPostgresBlobStore(db));
  blobStores.register(createFilesystemBlobStore(options.blobDir ?? path.join(services.dataDir, 'blobs')));
  if (options.s3) blobStores.register(createS3BlobStore(options.s3, logger));
  const lifecycle = {
    historyKeep: options.lifecycle?.historyKeep ?? DEFAULT_HISTORY_KEEP,
    treeGraceMs: options.lifecycle?.treeGc?.graceMs ?? DEFAULT_TREE_GC_GRACE_MS,
    treeIntervalMs: options.lifecycle?.treeGc?.intervalMs ?? DEFAULT_TREE_GC_INTERVAL_MS,
    blobGraceMs: options.lifecycle?.blobGc?.graceMs ?? DEFAULT_BLOB_GC_GRACE_MS,
    blobIntervalMs: options.lifecycle?.blobGc?.intervalMs ?? DEFAULT_BLOB_GC_INTERVAL_MS,
  };

  const packages = createPackageStore(db, clock);
  const secretKeys = createSecretKeyring({ envValue: options.secretKey, dataDir: services.dataDir, logger });
  const settings = createSettingsStore(
    db,
    clock,
    {
      storeId: options.defaultStoreId ?? POSTGRES_STORE_ID,
      ...(options.registryTimeoutMs ? { registryTimeoutMs: options.registryTimeoutMs } : {}),
    },
    { keys: secretKeys, logger },
  );
  // Local writes wake this instance's install.watch and hosts.watch streams at once.
  const installChanges = createChangeSignal();
  const hostChanges = createChangeSignal();
  const state = createInstallStateStore(db, { onWrite: installChanges.notify });
  const scriptsPolicyStore = createScriptsPolicyStore(db, clock);
  const blobIndex = createBlobIndexStore(db);
  const tokenStore = createTokenStore(db);
  const tokens = createTokenService({ tokens: tokenStore, clock, logger });
  const satelliteStore = createSatelliteStore(db);
  const satellites = createSatelliteService({ satellites: satelliteStore, hooks: services.hooks, clock, logger });
  // Tokens live in the database every instance shares, unless the host brings its own authenticator.
  const auth = services.auth ?? createTokenAuthenticator({ tokens: tokenStore, satellites: satelliteStore, clock, logger });
  // One install, rollback, blob GC, migration or store switch at a time, cluster-wide.
  const operations = createOperationLock({ database, logger, probe: createBusyProbe(db) });
  const activeStore = createActiveStoreSwitch({ settings, state, blobStores, operations, logger });
  const history = createHistoryStore(db);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const hosts = createHostStatusStore(db, { clock, pollIntervalMs, onWrite: hostChanges.notify });
  const statusWatch = createStatusWatch({
    readInstall: () => state.read(),
    readHosts: async () => ({ hosts: await hosts.list() }),
    installChanges,
    hostChanges,
    hooks: services.hooks,
  });
  const agent = createAgentProcedures({ readDesired: () => state.readDesired(), hosts, pollIntervalMs, clock, logger, retainedIntegrities: () => history.keptIntegrities() });
  const agentWatch = createAgentWatch({
    hooks: services.hooks,
    satellites: satelliteStore,
    readDesiredHash: () => state.readDesiredHash(),
    heartbeatMs: options.agentHeartbeatMs ?? DEFAULT_AGENT_HEARTBEAT_MS,
    clock,
  });
  // One persistent packument cache: installs and the registry client revalidate the same documents.
  const packumentCache = createPackumentCache({
    dir: packumentCacheDir(services.dataDir),
    ...(options.packumentCacheBytes === undefined ? {} : { maxBytes: options.packumentCacheBytes }),
    ...(options.packumentMaxAgeMs === undefined ? {} : { maxAgeMs: options.packumentMaxAgeMs }),
  });
  const installer = createInstallController({
    database,
    packages,
    settings,
    scriptsPolicy: scriptsPolicyStore,
    state,
    blobIndex,
    blobStores,
    hooks: services.hooks,
    clock,
    logger,
    dataDir: services.dataDir,
    operations,
    pruneHistory: () => history.prune(lifecycle.historyKeep),
    typesAutoAdd: {
      enabled: options.types?.autoAdd ?? DEFAULT_TYPES_AUTO_ADD.enabled,
      nodeMajor: options.types?.nodeMajor ?? DEFAULT_TYPES_AUTO_ADD.nodeMajor,
    },
    ...(options.fetchConcurrency ? { fetchConcurrency: options.fetchConcurrency } : {}),
    packumentCache,
  });
  const host = createCoreHost({
    hostId: options.hostId ?? 'core',
    dataDir: services.dataDir,
    state,
    blobIndex,
    blobStores,
    hostStatus: hosts,
    hooks: services.hooks,
    clock,
    logger,
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.firstRetryMs ? { firstRetryMs: options.firstRetryMs } : {}),
    ...(options.runs ? { runs: options.runs } : {}),
    ...(options.installScripts ? { installScripts: options.installScripts } : {}),
    treeGc: { graceMs: lifecycle.treeGraceMs, intervalMs: lifecycle.treeIntervalMs },
    // Blobs a rollback would need stay in this host's cache.
    retainedIntegrities: () => history.keptIntegrities(),
  });

  // Closures are computed from this instance's own tree, so a hash other than its current one is stale here.
  const types = createTypesService({
    dataDir: services.dataDir,
    currentHash: () => host.currentHash(),
    readManifest: (lockfileHash) => state.readManifest(lockfileHash),
    logger,
    ...(options.types?.maxBytes === undefined ? {} : { maxBytes: options.types.maxBytes }),
  });

  const historyService = createHistoryService({ history, state, operations, hooks: services.hooks, clock, logger, keep: lifecycle.historyKeep });
  const blobGc = createBlobGcService({
    db,
    history,
    blobStores,
    operations,
    clock,
    logger,
    settings: { blobGraceMs: lifecycle.blobGraceMs, intervalMs: lifecycle.blobIntervalMs, historyKeep: lifecycle.historyKeep, treeGraceMs: lifecycle.treeGraceMs },
  });
  const migration = createStorageMigration({
    db,
    blobStores,
    settings,
    operations,
    clock,
    logger,
    deleteSource: options.lifecycle?.migration?.deleteSource ?? false,
    concurrency: options.lifecycle?.migration?.concurrency ?? DEFAULT_MIGRATION_CONCURRENCY,
    ...(options.lifecycle?.migration?.resumeCheckMs === undefined ? {} : { resumeCheckMs: options.lifecycle.migration.resumeCheckMs }),
  });

  const registryClient = createRegistryClient({ access: () => settings.getRegistryAccess(), logger, packumentCache });
  const declarations = createPackageDeclarations({ packages, registry: registryClient, logger });
  const router = createRouter({
    logger,
    packages,
    declarations,
    registryClient,
    settings,
    npmrcEnv: options.npmrcEnv ?? {},
    hosts,
    blobIndex,
    blobStores,
    install: installer,
    history: historyService,
    gc: blobGc,
    migration,
    scriptsPolicy: createScriptsPolicy({ store: scriptsPolicyStore, desiredManifest: async () => (await state.read()).manifest }),
    runs: host,
    host,
    activeStore,
    tokens,
    satellites,
    agent,
    agentWatch,
    statusWatch,
    types,
  });
  const httpRoutes: HttpRoute[] = [
    createBlobRoute({ blobIndex, blobStores }, { logger, ...(options.blobCacheBytes === undefined ? {} : { maxBytes: options.blobCacheBytes }) }),
    createTypesRoute(types),
  ];

  return {
    router,
    httpRoutes,
    authenticate: (token: string) => auth.authenticate(token),
    /** At start, after `start()` migrated: stores SPK_ADMIN_TOKEN and makes sure an admin token exists. */
    bootstrapAdminTokens: (input: AdminTokenBootstrapInput) => bootstrapAdminTokens({ tokens: tokenStore, clock }, input),
    installer,
    host,
    blobGc,
    migration,
    historyService,
    /** The key sealing the registry secrets (a test's own settings store on this database needs it). */
    secretKeys,
    /** Open agent.watch streams (tests check that disconnects leave none behind). */
    openAgentStreams: () => agentWatch.openStreams(),
    /** Open install.watch and hosts.watch streams. */
    openStatusStreams: () => statusWatch.openStreams(),
    /** Migrates, recovers an interrupted install, and starts converging this host in the background. */
    async start(): Promise<void> {
      // The key first: a wrong SPK_SECRET_KEY or an unsafe key file stops the start before anything changed.
      await secretKeys.load();
      await database.migrate();
      await settings.migrateRegistrySecrets();
      await installer.recoverInterrupted();
      // Before serving: runs a crashed predecessor left still pin trees (and may still be running).
      await host.prepareRuns();
      // A migration a stopped server left active resumes here (installs wait for it); GC marks runs it left as interrupted.
      await migration.start();
      await blobGc.start();
      void host.start();
    },
    async stop(): Promise<void> {
      // Open watch streams would hold the HTTP server open; their agents reconnect elsewhere.
      agentWatch.closeAll();
      statusWatch.closeAll();
      await blobGc.stop();
      await migration.stop();
      await installer.idle();
      await host.stop();
    },
  };
}

export type ScriptPackagesBackend = ReturnType<typeof createScriptPackagesBackend>;
