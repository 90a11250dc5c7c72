// The backend as a plugin: a host passes its services in and gets a router, HTTP routes and a
// lifecycle back. Reads no env vars and opens no ports.
import path from 'node:path';
import { createBlobStoreRegistry } from './blob-stores/blob-store.ts';
import { createFilesystemBlobStore } from './blob-stores/filesystem-blob-store.ts';
import { createPostgresBlobStore, POSTGRES_STORE_ID } from './blob-stores/postgres-blob-store.ts';
import { createBlobRoute } from './http/blob-route.ts';
import type { HttpRoute } from './http/http-route.ts';
import { createInstallController } from './install/install-controller.ts';
import { createRouter, type RunApi } from './router/router.ts';
import type { BackendServices } from './services.ts';
import { createBlobIndexStore } from './stores/blob-index-store.ts';
import { createHostStatusStore } from './stores/host-status-store.ts';
import { createInstallStateStore } from './stores/install-state-store.ts';
import { createPackageStore } from './stores/package-store.ts';
import { createSettingsStore } from './stores/settings-store.ts';
import { SpkError } from '@spk/common';

export interface BackendOptions {
  /** Blob store used when none was configured. */
  defaultStoreId?: string;
  fetchConcurrency?: number;
}

export function createScriptPackagesBackend(services: BackendServices, options: BackendOptions = {}) {
  const { database, clock, logger } = services;
  const db = database.db;
  const blobStores = createBlobStoreRegistry();
  blobStores.register(createPostgresBlobStore(db));
  blobStores.register(createFilesystemBlobStore(path.join(services.dataDir, 'blobs')));

  const packages = createPackageStore(db, clock);
  const settings = createSettingsStore(db, clock, { storeId: options.defaultStoreId ?? POSTGRES_STORE_ID });
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
  const runs: RunApi = {
    run: async () => {
      throw new SpkError('NOT_CONVERGED', 'script runs are not available on this host yet');
    },
  };

  const router = createRouter({ logger, packages, settings, hosts, blobIndex, blobStores, install: installer, runs });
  const httpRoutes: HttpRoute[] = [createBlobRoute({ blobIndex, blobStores })];

  return {
    router,
    httpRoutes,
    authenticate: (token: string) => services.auth.authenticate(token),
    installer,
    async start(): Promise<void> {
      await database.migrate();
      await installer.recoverInterrupted();
    },
    async stop(): Promise<void> {
      await installer.idle();
    },
  };
}

export type ScriptPackagesBackend = ReturnType<typeof createScriptPackagesBackend>;
