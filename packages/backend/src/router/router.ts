// The backend's implementation of the shared contract. Handlers are thin: they call stores and
// controllers passed in, so all logic stays testable outside HTTP.
import { implement } from '@orpc/server';
import {
  contract,
  hasPermission,
  isSpkError,
  SpkError,
  type FsckResult,
  type GcRun,
  type GcState,
  type HistoryEntry,
  type InstallHistory,
  type InstallState,
  type Principal,
  type RollbackResult,
  type RunResult,
  type RunScriptInput,
  type StorageMigrateInput,
  type StorageState,
  type TreeCollection,
  type TypeClosure,
  type TypesIndex,
  type WaitConvergedResult,
} from '@spk/common';
import type { BlobIndexStore } from '../stores/blob-index-store.ts';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import type { HostStatusStore } from '../stores/host-status-store.ts';
import type { PackageStore } from '../stores/package-store.ts';
import type { PackageDeclarations } from '../registry/package-declarations.ts';
import type { RegistryClient } from '../registry/registry-client.ts';
import type { ScriptsPolicyApi } from '../install/scripts-policy.ts';
import type { SettingsStore } from '../stores/settings-store.ts';
import { parseNpmrc } from '../registry/npmrc.ts';
import { parseSecretKey, SECRET_KEY_ADVICE } from '../secrets/secret-key.ts';
import type { ActiveStoreSwitch } from '../blob-stores/active-store-switch.ts';
import { principalInfo } from '../auth/principal-info.ts';
import type { TokenService } from '../auth/token-service.ts';
import type { AgentProcedures } from '../satellites/agent-procedures.ts';
import type { AgentWatch } from '../satellites/agent-watch.ts';
import type { SatelliteService } from '../satellites/satellite-service.ts';
import type { Logger } from '../services.ts';
import type { StatusWatch } from '../watch/status-watch.ts';
import { toORPCError } from './error-mapping.ts';
import { listPackages } from './package-listing.ts';

export interface RouterContext {
  /** Set by the host after checking the bearer token; null when the caller is anonymous. */
  principal: Principal | null;
  /** Response headers, when the HTTP handler has oRPC's ResponseHeadersPlugin (Retry-After on 429). */
  resHeaders?: Headers;
}

/** Who called: recorded as who committed a state, asked for a GC run or started a migration. */
export interface Caller {
  principalId: string | null;
}

export interface InstallApi {
  trigger(caller: Caller): Promise<{ started: boolean; state: InstallState }>;
  state(): Promise<InstallState>;
}

/** The history of committed desired states and rollback to one of them (lifecycle/history-service.ts). */
export interface HistoryApi {
  list(): Promise<InstallHistory>;
  rollback(ref: string, caller: Caller): Promise<RollbackResult>;
  pin(ref: string, pinned: boolean): Promise<HistoryEntry>;
}

/** Blob GC, cluster-wide (gc/blob-gc-service.ts). */
export interface GcApi {
  run(input: { trigger: 'manual'; requestedBy: string | null }): Promise<GcRun>;
  state(): Promise<GcState>;
}

/** Storage migration between blob stores (storage/storage-migration.ts). */
export interface StorageMigrationApi {
  migrate(input: StorageMigrateInput, caller: Caller): Promise<StorageState>;
  state(): Promise<StorageState>;
}

export interface RunApi {
  /** `principalId` is who asked: every run is logged with it. */
  run(input: Required<RunScriptInput>, caller: { principalId: string }, options?: { waitForConvergenceMs?: number | undefined }): Promise<RunResult>;
}

/** The host of the instance answering the call: fsck checks this machine's store and trees. */
export interface HostFsckApi {
  hostId: string;
  /** The tree this instance runs now (packages.list says whether that is the desired one). */
  currentHash(): Promise<string | null>;
  fsck(input: { repair: boolean }): Promise<FsckResult>;
  /** Collects this instance's retired trees and unneeded cache entries now (tree GC). */
  collectTrees(): Promise<TreeCollection>;
  /** Resolves when this instance's tree is at `lockfileHash`; NOT_CONVERGED after `timeoutMs`. */
  waitConverged(lockfileHash: string, timeoutMs: number): Promise<WaitConvergedResult>;
}

/** Declaration-file closures for script editors; the same answers `GET /types/...` serves (see types/types-service.ts). */
export interface TypesApi {
  index(lockfileHash?: string): Promise<{ value: TypesIndex }>;
  closure(lockfileHash: string, name: string): Promise<{ value: TypeClosure }>;
}

export interface RouterDeps {
  logger: Logger;
  packages: PackageStore;
  /** Add and update: the registry and letter-case checks in front of the package store. */
  declarations: PackageDeclarations;
  settings: SettingsStore;
  /** What `${VAR}` in an imported .npmrc's credentials is replaced from: the server's environment. */
  npmrcEnv: Readonly<Record<string, string | undefined>>;
  /** Search, versions and package info, from the configured registries. */
  registryClient: RegistryClient;
  hosts: HostStatusStore;
  blobIndex: BlobIndexStore;
  blobStores: BlobStoreRegistry;
  install: InstallApi;
  history: HistoryApi;
  gc: GcApi;
  migration: StorageMigrationApi;
  /** Whose lifecycle scripts hosts run (from the next install on). */
  scriptsPolicy: ScriptsPolicyApi;
  runs: RunApi;
  host: HostFsckApi;
  activeStore: ActiveStoreSwitch;
  tokens: TokenService;
  satellites: SatelliteService;
  agent: AgentProcedures;
  agentWatch: AgentWatch;
  /** install.watch and hosts.watch. */
  statusWatch: Pick<StatusWatch, 'install' | 'hosts'>;
  types: TypesApi;
}

/** The satellite calling an agent procedure; the permission check let only satellite principals through. */
const callerOf = (context: RouterContext): Caller => ({ principalId: context.principal?.id ?? null });

/** Streams map errors thrown while they run (a failed re-read) themselves: the middleware saw only the start. */
async function* mappedStream<T>(stream: AsyncGenerator<T, void, void>, logger: Logger): AsyncGenerator<T, void, void> {
  try {
    yield* stream;
  } catch (error) {
    throw toORPCError(error, logger);
  }
}

function satelliteOf(context: RouterContext): string {
  const name = context.principal?.satellite;
  if (!name) throw new SpkError('FORBIDDEN', 'only a satellite token may call the agent procedures; create one with "spk satellites create <name>"');
  return name;
}

export function createRouter(deps: RouterDeps) {
  const os = implement(contract)
    .$context<RouterContext>()
    .use(async ({ context, procedure, next }) => {
      try {
        if (!context.principal) throw new SpkError('UNAUTHORIZED', 'missing or invalid bearer token');
        const needed = procedure['~orpc'].meta.permission;
        if (!hasPermission(context.principal, needed)) {
          throw new SpkError('FORBIDDEN', `this token lacks the "${needed}" permission this call needs`);
        }
        return await next();
      } catch (error) {
        throw toORPCError(error, deps.logger);
      }
    });

  const storageConfig = async () => ({
    activeStore: await deps.settings.getActiveStoreId(),
    availableStores: deps.blobStores.ids(),
    ...(await deps.blobIndex.totals()),
  });

  return os.router({
    packages: {
      list: os.packages.list.handler(async () => {
        const [declared, desired, hostHash] = await Promise.all([deps.packages.list(), deps.install.state(), deps.host.currentHash()]);
        return listPackages({ declared, desired, host: { hostId: deps.host.hostId, lockfileHash: hostHash } });
      }),
      add: os.packages.add.handler(({ input }) => deps.declarations.add(input)),
      update: os.packages.update.handler(({ input }) => deps.declarations.update(input)),
      remove: os.packages.remove.handler(async ({ input }) => ({ removed: await deps.packages.remove(input.name) })),
    },
    install: {
      trigger: os.install.trigger.handler(({ context }) => deps.install.trigger(callerOf(context))),
      state: os.install.state.handler(() => deps.install.state()),
      watch: os.install.watch.handler(({ signal }) => mappedStream(deps.statusWatch.install(signal), deps.logger)),
      history: os.install.history.handler(() => deps.history.list()),
      rollback: os.install.rollback.handler(({ input, context }) => deps.history.rollback(input.lockfileHash, callerOf(context))),
      pin: os.install.pin.handler(({ input }) => deps.history.pin(input.lockfileHash, input.pinned)),
    },
    gc: {
      run: os.gc.run.handler(async ({ context }) => {
        const run = await deps.gc.run({ trigger: 'manual', requestedBy: callerOf(context).principalId });
        const collection = await deps.host.collectTrees();
        return { run, host: { hostId: deps.host.hostId, collection } };
      }),
      state: os.gc.state.handler(() => deps.gc.state()),
    },
    installScripts: {
      get: os.installScripts.get.handler(() => deps.scriptsPolicy.get()),
      allow: os.installScripts.allow.handler(({ input }) => deps.scriptsPolicy.allow(input.name)),
      disallow: os.installScripts.disallow.handler(({ input }) => deps.scriptsPolicy.disallow(input.name)),
    },
    registry: {
      get: os.registry.get.handler(() => deps.settings.getRegistry()),
      set: os.registry.set.handler(async ({ input }) => {
        await deps.settings.setRegistry(input);
        return deps.settings.getRegistry();
      }),
      importNpmrc: os.registry.importNpmrc.handler(async ({ input }) => {
        const { settings, warnings } = parseNpmrc(input.npmrc, deps.npmrcEnv);
        await deps.settings.replaceRegistrySettings(settings);
        return { config: await deps.settings.getRegistry(), warnings };
      }),
      rotateKey: os.registry.rotateKey.handler(({ input }) => {
        const parsed = parseSecretKey(input.key);
        if ('problem' in parsed) {
          throw new SpkError('INVALID_INPUT', `the new secret key ${parsed.problem}: ${SECRET_KEY_ADVICE}`);
        }
        return deps.settings.rotateSecretKey(parsed.key);
      }),
      search: os.registry.search.handler(({ input }) => deps.registryClient.search(input.text, input.size)),
      versions: os.registry.versions.handler(({ input }) => deps.registryClient.versions(input.name)),
      package: os.registry.package.handler(({ input }) => deps.registryClient.packageInfo(input.spec)),
    },
    storage: {
      get: os.storage.get.handler(() => storageConfig()),
      set: os.storage.set.handler(async ({ input }) => {
        await deps.activeStore.set(input.activeStore);
        return storageConfig();
      }),
      migrate: os.storage.migrate.handler(({ input, context }) => deps.migration.migrate(input, callerOf(context))),
      state: os.storage.state.handler(() => deps.migration.state()),
    },
    tokens: {
      whoami: os.tokens.whoami.handler(({ context }) => principalInfo(context.principal!)),
      create: os.tokens.create.handler(({ input }) => deps.tokens.create({ name: input.name, readOnly: input.readOnly })),
      list: os.tokens.list.handler(async () => ({ tokens: await deps.tokens.list() })),
      revoke: os.tokens.revoke.handler(async ({ input }) => ({ revoked: await deps.tokens.revoke(input.name) })),
    },
    satellites: {
      create: os.satellites.create.handler(({ input }) => deps.satellites.create(input.name)),
      list: os.satellites.list.handler(async () => ({ satellites: await deps.satellites.list() })),
      revoke: os.satellites.revoke.handler(async ({ input }) => ({ revoked: await deps.satellites.revoke(input.name) })),
    },
    agent: {
      desired: os.agent.desired.handler(({ context }) => {
        satelliteOf(context);
        return deps.agent.desired();
      }),
      // An error while the stream runs (UNAUTHORIZED on revocation) reaches the agent as the stream's error event.
      watch: os.agent.watch.handler(({ context, signal }) => mappedStream(deps.agentWatch.watch(satelliteOf(context), signal), deps.logger)),
      report: os.agent.report.handler(({ input, context }) => deps.agent.report(satelliteOf(context), input)),
    },
    sizeCaps: {
      get: os.sizeCaps.get.handler(() => deps.settings.getSizeCaps()),
      set: os.sizeCaps.set.handler(async ({ input }) => {
        await deps.settings.setSizeCaps(input);
        return deps.settings.getSizeCaps();
      }),
    },
    hosts: {
      status: os.hosts.status.handler(async () => ({ hosts: await deps.hosts.list() })),
      watch: os.hosts.watch.handler(({ signal }) => mappedStream(deps.statusWatch.hosts(signal), deps.logger)),
      fsck: os.hosts.fsck.handler(({ input }) => deps.host.fsck(input)),
      waitConverged: os.hosts.waitConverged.handler(({ input }) => deps.host.waitConverged(input.lockfileHash, input.timeoutMs)),
    },
    types: {
      index: os.types.index.handler(async ({ input }) => (await deps.types.index(input.lockfileHash)).value),
      closure: os.types.closure.handler(async ({ input }) => (await deps.types.closure(input.lockfileHash, input.name)).value),
    },
    runs: {
      execute: os.runs.execute.handler(async ({ input, context }) => {
        try {
          const { waitForConvergenceMs, ...run } = input;
          return await deps.runs.run(run, { principalId: context.principal?.id ?? 'anonymous' }, { waitForConvergenceMs });
        } catch (error) {
          const retryAfterMs = isSpkError(error, 'TOO_MANY_RUNS') ? Number(error.details?.retryAfterMs) : NaN;
          if (Number.isFinite(retryAfterMs)) context.resHeaders?.set('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
          throw error;
        }
      }),
    },
  });
}

export type Router = ReturnType<typeof createRouter>;
