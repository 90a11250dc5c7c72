// The backend as a plugin: a host passes its services in and gets a router, HTTP routes and a
// lifecycle back. Reads no env vars and opens no ports.
import path from 'node:path';
import { createBlobStoreRegistry } from './blob-stores/blob-store.ts';
import { createFilesystemBlobStore } from './blob-stores/filesystem-blob-store.ts';
import { createPostgresBlobStore, POSTGRES_STORE_ID } from './blob-stores/postgres-blob-store.ts';
import { createBlobRoute } from './http/blob-route.ts';
import type { HttpRoute } from './http/http-route.ts';
import { createInstallController } from './install/install-controller.ts';
import { createCoreHost } from './host/core-host.ts';
import type { ScriptRunOptions } from './host/core-script-runs.ts';
import { createRouter } from './router/router.ts';
import type { BackendServices } from './services.ts';
import { createBlobIndexStore } from './stores/blob-index-store.ts';
import { createHostStatusStore } from './stores/host-status-store.ts';
import { createInstallStateStore } from './stores/install-state-store.ts';
import { createPackageStore } from './stores/package-store.ts';
import { createSettingsStore } from './stores/settings-store.ts';

export interface BackendOptions {
  /** Blob store used when none was configured. */
  defaultStoreId?: string;
  /** This instance's id in `hosts.status`; the host makes it unique (e.g. hostname and port). */
  hostId?: string;
  /** How often this instance checks the durable desired state for a missed change hook. */
  pollIntervalMs?: number;
  fetchConcurrency?: number;
  /** How long one registry request may go unanswered before the install fails (default 60 s). */
  registryTimeoutMs?: number;
  /** Script run limits, allowances and the run user (see docs/operations.md, "Script runs"). */
  runs?: ScriptRunOptions;
}

export function createScriptPackagesBackend(services: BackendServices, options: BackendOptions = {}) {
  const { database, clock, logger } = services;
  const db = database.db;
  const blobStores = createBlobStoreRegistry();
  blobStores.register(createPostgresBlobStore(db));
  blobStores.register(createFilesystemBlobStore(path.join(services.dataDir, 'blobs')));

  const packages = createPackageStore(db, clock);
  const settings = createSettingsStore(db, clock, {
    storeId: options.defaultStoreId ?? POSTGRES_STORE_ID,
    ...(options.registryTimeoutMs ? { registryTimeoutMs: options.registryTimeoutMs } : {}),
  });
  const state = createInstallStateStore(db);
  const blobIndex = createBlobIndexStore(db);
  const hosts = createHostStatusStore(db);
  const installer = createInstallController({
    database,
    packages,
    settings,
    state,
    blobIndex,
    blobStores,
    hooks: services.hooks,
    clock,
    logger,
    dataDir: services.dataDir,
    ...(options.fetchConcurrency ? { fetchConcurrency: options.fetchConcurrency } : {}),
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
    ...(options.runs ? { runs: options.runs } : {}),
  });

  const router = createRouter({ logger, packages, settings, hosts, blobIndex, blobStores, install: installer, runs: host, host });
  const httpRoutes: HttpRoute[] = [createBlobRoute({ blobIndex, blobStores })];

  return {
    router,
    httpRoutes,
    authenticate: (token: string) => services.auth.authenticate(token),
    installer,
    host,
    /** Migrates, recovers an interrupted install, and starts converging this host in the background. */
    async start(): Promise<void> {
      await database.migrate();
      await installer.recoverInterrupted();
      // Before serving: runs a crashed predecessor left still pin trees (and may still be running).
      await host.prepareRuns();
      void host.start();
    },
    async stop(): Promise<void> {
      await installer.idle();
      await host.stop();
    },
  };
}

export type ScriptPackagesBackend = ReturnType<typeof createScriptPackagesBackend>;
