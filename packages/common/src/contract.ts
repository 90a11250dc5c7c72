// The oRPC contract: the one description of the API. The backend implements it, the CLI and the
// satellite agent are typed clients of it, and the OpenAPI document is generated from it.
import { eventIterator, oc } from '@orpc/contract';
import * as z from 'zod';
import type { Permission } from './access.ts';
import { sizeCapsSchema, storageConfigSchema, storageSetInputSchema } from './config.ts';
import {
  importNpmrcInputSchema,
  importNpmrcResultSchema,
  registryConfigInputSchema,
  registryConfigSchema,
  registryPackageInputSchema,
  registryPackageResultSchema,
  registrySearchInputSchema,
  registrySearchResultSchema,
  registryVersionsInputSchema,
  registryVersionsResultSchema,
  rotateKeyInputSchema,
  rotateKeyResultSchema,
  scriptsPolicyInputSchema,
  scriptsPolicySchema,
} from './registries.ts';
import { createdTokenSchema, createTokenInputSchema, principalInfoSchema, tokenInfoSchema, tokenNameInputSchema } from './tokens.ts';
import { fsckInputSchema, fsckResultSchema } from './fsck.ts';
import { hostsSnapshotSchema, runConvergenceWaitSchema, waitConvergedInputSchema, waitConvergedResultSchema } from './hosts.ts';
import { runResultSchema, runScriptInputSchema } from './runs.ts';
import {
  agentDesiredSchema,
  agentReportResultSchema,
  agentReportSchema,
  agentWatchEventSchema,
  createdSatelliteSchema,
  createSatelliteInputSchema,
  satelliteInfoSchema,
  satelliteNameInputSchema,
} from './satellites.ts';
import { typeClosureSchema, typesClosureInputSchema, typesIndexInputSchema, typesIndexSchema } from './editor-types.ts';
import { installStateSchema, installTriggerResultSchema } from './install-state.ts';
import {
  gcRunResultSchema,
  gcStateSchema,
  historyEntrySchema,
  historyPinInputSchema,
  installHistorySchema,
  rollbackInputSchema,
  rollbackResultSchema,
  storageMigrateInputSchema,
  storageStateSchema,
} from './lifecycle.ts';
import {
  addPackageInputSchema,
  declaredPackageResultSchema,
  declaredPackageSchema,
  packageListSchema,
  packageNameInputSchema,
  updatePackageInputSchema,
} from './packages.ts';

export interface ProcedureMeta {
  permission: Permission;
}

const base = oc.$meta<ProcedureMeta>({ permission: 'read' });
const read = base;
const manage = base.meta({ permission: 'manage' });
const satellite = base.meta({ permission: 'satellite' });

export const contract = {
  packages: {
    list: read
      .route({
        method: 'GET',
        path: '/packages',
        summary: 'List declared packages, each with the version the desired tree resolved and whether the answering host runs it',
      })
      .output(packageListSchema),
    add: manage
      .route({
        method: 'POST',
        path: '/packages',
        summary:
          'Declare a package. The registry must have it and a version matching the range (else PACKAGE_NOT_FOUND, with close names, or NO_MATCHING_VERSION); when the registry cannot be reached it is accepted with `warnings`',
        successStatus: 201,
      })
      .input(addPackageInputSchema)
      .output(declaredPackageResultSchema),
    update: manage
      .route({ method: 'PATCH', path: '/packages/{+name}', summary: 'Change a declared range (checked against the registry as on add) or enable/disable it' })
      .input(updatePackageInputSchema)
      .output(declaredPackageResultSchema),
    remove: manage
      .route({ method: 'DELETE', path: '/packages/{+name}', summary: 'Remove a declared package' })
      .input(packageNameInputSchema)
      .output(z.object({ removed: declaredPackageSchema })),
  },
  install: {
    trigger: manage
      .route({ method: 'POST', path: '/install', summary: 'Start a central install in the background', successStatus: 202 })
      .input(z.strictObject({}).optional())
      .output(installTriggerResultSchema),
    state: read.route({ method: 'GET', path: '/install', summary: 'Current install state' }).output(installStateSchema),
    watch: read
      .route({
        method: 'GET',
        path: '/install/watch',
        summary:
          'Server-sent events: the install state at once, then again whenever it changes (status, phase, counts, error, commit), wherever in the cluster the install runs; ends when the client disconnects',
      })
      .output(eventIterator(installStateSchema)),
    history: read
      .route({
        method: 'GET',
        path: '/install/history',
        summary: 'Committed desired states, newest first: the last SPK_HISTORY_KEEP plus pinned ones, each with the declared set it came from',
      })
      .output(installHistorySchema),
    rollback: manage
      .route({
        method: 'POST',
        path: '/install/rollback',
        summary:
          'Make a state from the history the desired state again and restore the declared set it came from, without contacting the registry; broadcast like an install. INSTALL_IN_PROGRESS, GC_IN_PROGRESS or MIGRATION_IN_PROGRESS (409) while one runs',
      })
      .input(rollbackInputSchema)
      .output(rollbackResultSchema),
    pin: manage
      .route({ method: 'PUT', path: '/install/history/{lockfileHash}/pin', summary: 'Pin a history entry (kept whatever the history length) or unpin it' })
      .input(historyPinInputSchema)
      .output(historyEntrySchema),
  },
  /** Blob GC (cluster-wide, under the installer lock); each host collects its own trees. */
  gc: {
    run: manage
      .route({
        method: 'POST',
        path: '/gc',
        summary:
          "Run blob GC now: prune the history, delete blobs unreferenced by the desired state and the kept history for longer than the grace; also collect the answering instance's retired trees",
      })
      .input(z.strictObject({}).optional())
      .output(gcRunResultSchema),
    state: read.route({ method: 'GET', path: '/gc', summary: 'GC settings, blobs waiting out the grace, and the last runs' }).output(gcStateSchema),
  },
  /** Lifecycle scripts: off unless allowed by name; hosts run allowed ones before a tree becomes current. */
  installScripts: {
    get: read
      .route({ method: 'GET', path: '/install-scripts', summary: 'Names allowed to run lifecycle scripts, and the packages of the desired tree that have scripts' })
      .output(scriptsPolicySchema),
    allow: manage
      .route({ method: 'PUT', path: '/install-scripts/{+name}', summary: "Allow a package's lifecycle scripts (from the next install on)" })
      .input(scriptsPolicyInputSchema)
      .output(scriptsPolicySchema),
    disallow: manage
      .route({ method: 'DELETE', path: '/install-scripts/{+name}', summary: "Stop running a package's lifecycle scripts (from the next install on)" })
      .input(scriptsPolicyInputSchema)
      .output(scriptsPolicySchema),
  },
  registry: {
    get: read
      .route({ method: 'GET', path: '/registry', summary: 'The registry configuration: default and scoped registries, auth (every secret masked), TLS and proxy' })
      .output(registryConfigSchema),
    set: manage
      .route({ method: 'PUT', path: '/registry', summary: 'Set the default registry URL and its token (the rest of the configuration is kept)' })
      .input(registryConfigInputSchema)
      .output(registryConfigSchema),
    importNpmrc: manage
      .route({
        method: 'POST',
        path: '/registry/npmrc',
        summary: "Replace the registry configuration with an .npmrc's registry settings (${ENV} in credentials from the server's environment); keys not imported come back as warnings",
      })
      .input(importNpmrcInputSchema)
      .output(importNpmrcResultSchema),
    rotateKey: manage
      .route({ method: 'POST', path: '/registry/rotate-key', summary: 'Re-encrypt every stored registry secret with a new key (32 bytes, base64)' })
      .input(rotateKeyInputSchema)
      .output(rotateKeyResultSchema),
    search: read
      .route({ method: 'GET', path: '/registry/search', summary: "Search the registry (its /-/v1/search) for package names" })
      .input(registrySearchInputSchema)
      .output(registrySearchResultSchema),
    versions: read
      .route({ method: 'GET', path: '/registry/versions/{+name}', summary: 'Versions of a package, newest first, with dist-tags, deprecation and publish times' })
      .input(registryVersionsInputSchema)
      .output(registryVersionsResultSchema),
    package: read
      .route({ method: 'GET', path: '/registry/package', summary: 'What a package is: description, license, size, dependencies, types, deprecation (spec: name or name@range)' })
      .input(registryPackageInputSchema)
      .output(registryPackageResultSchema),
  },
  storage: {
    get: read.route({ method: 'GET', path: '/storage', summary: 'Active blob store and usage' }).output(storageConfigSchema),
    set: manage
      .route({
        method: 'PUT',
        path: '/storage',
        summary: 'Switch the active blob store; refused (STORE_INCOMPLETE) unless it already holds every blob of the desired state',
      })
      .input(storageSetInputSchema)
      .output(storageConfigSchema),
    migrate: manage
      .route({
        method: 'POST',
        path: '/storage/migrate',
        summary:
          'Start copying every indexed blob to another store (each copy re-read and verified, progress kept durably, resumed after a restart); the target becomes active once every blob is verified there. Refused during an install',
        successStatus: 202,
      })
      .input(storageMigrateInputSchema)
      .output(storageStateSchema),
    state: read
      .route({ method: 'GET', path: '/storage/state', summary: 'Active store, blobs per store, and the running (else last) migration with its progress and ETA' })
      .output(storageStateSchema),
  },
  sizeCaps: {
    get: read.route({ method: 'GET', path: '/size-caps', summary: 'Size caps for installs' }).output(sizeCapsSchema),
    set: manage.route({ method: 'PUT', path: '/size-caps', summary: 'Change the size caps' }).input(sizeCapsSchema).output(sizeCapsSchema),
  },
  hosts: {
    status: read
      .route({ method: 'GET', path: '/hosts', summary: 'Install status of every host' })
      .output(hostsSnapshotSchema),
    watch: read
      .route({
        method: 'GET',
        path: '/hosts/watch',
        summary: 'Server-sent events: every host\'s status at once, then again whenever a host reports, converges, errs or turns stale; ends when the client disconnects',
      })
      .output(eventIterator(hostsSnapshotSchema)),
    fsck: manage
      .route({
        method: 'POST',
        path: '/hosts/fsck',
        summary: "Verify this core instance's package store and trees against the verified blobs; with repair, rebuild what differs",
      })
      .input(fsckInputSchema)
      .output(fsckResultSchema),
    waitConverged: read
      .route({
        method: 'POST',
        path: '/hosts/wait-converged',
        summary:
          'Wait until the answering core instance runs the tree with this lockfile hash; NOT_CONVERGED when timeoutMs passes first. Behind a load balancer the next call may reach another instance: for a run, use the waitForConvergenceMs option of runs.execute instead',
      })
      .input(waitConvergedInputSchema)
      .output(waitConvergedResultSchema),
  },
  tokens: {
    whoami: read
      .route({ method: 'GET', path: '/whoami', summary: "The calling token's name and permissions, so a client can offer only what it may do" })
      .output(principalInfoSchema),
    create: manage
      .route({ method: 'POST', path: '/tokens', summary: 'Create a named API token (admin, or read-only); the answer is the only time the token is shown', successStatus: 201 })
      .input(createTokenInputSchema)
      .output(createdTokenSchema),
    list: manage
      .route({ method: 'GET', path: '/tokens', summary: 'List API tokens: name, permissions, created, last used (never the token or its hash)' })
      .output(z.object({ tokens: z.array(tokenInfoSchema) })),
    revoke: manage
      .route({ method: 'DELETE', path: '/tokens/{name}', summary: 'Revoke a token on every instance at once; the last admin token cannot be revoked' })
      .input(tokenNameInputSchema)
      .output(z.object({ revoked: tokenInfoSchema })),
  },
  satellites: {
    create: manage
      .route({
        method: 'POST',
        path: '/satellites',
        summary: 'Create a satellite identity; the answer is the only time its token is shown (the core keeps its sha256)',
        successStatus: 201,
      })
      .input(createSatelliteInputSchema)
      .output(createdSatelliteSchema),
    list: manage
      .route({ method: 'GET', path: '/satellites', summary: 'List satellite identities: name, created, last seen (never the token or its hash)' })
      .output(z.object({ satellites: z.array(satelliteInfoSchema) })),
    revoke: manage
      .route({
        method: 'DELETE',
        path: '/satellites/{name}',
        summary: "Revoke a satellite's token on every instance at once; its open watch streams are closed",
      })
      .input(satelliteNameInputSchema)
      .output(z.object({ revoked: satelliteInfoSchema })),
  },
  /** What a satellite agent calls, with its satellite token. */
  agent: {
    desired: satellite
      .route({
        method: 'GET',
        path: '/agent/desired',
        summary: 'The committed desired state (lockfile hash and its manifest, read together) and the poll interval to report at',
      })
      .output(agentDesiredSchema),
    watch: satellite
      .route({
        method: 'GET',
        path: '/agent/watch',
        summary: 'Server-sent events: the current desired hash at once, every newly committed hash after it, and a heartbeat',
      })
      .output(eventIterator(agentWatchEventSchema)),
    report: satellite
      .route({ method: 'POST', path: '/agent/report', summary: "A satellite's status: the tree it runs, its last error and what it pulled; shown by hosts.status" })
      .input(agentReportSchema)
      .output(agentReportResultSchema),
  },
  /** Declaration files for script editors; `GET /types/...` serves the same with HTTP caching. */
  types: {
    index: read
      .route({
        method: 'GET',
        path: '/types',
        summary: 'Importable packages of a tree (the current one when no hash is given), with closure sizes once known, and its @types/node',
      })
      .input(typesIndexInputSchema)
      .output(typesIndexSchema),
    closure: read
      .route({
        method: 'GET',
        path: '/types/{lockfileHash}/{+name}',
        summary: "One package's declaration-file closure in the tree with this hash; STALE_LOCKFILE_HASH (409) when it is not the answering instance's current tree",
      })
      .input(typesClosureInputSchema)
      .output(typeClosureSchema),
  },
  runs: {
    execute: manage
      .route({ method: 'POST', path: '/runs', summary: 'Run a script on this core instance against its current tree' })
      // waitForConvergenceMs: wait up to this long for this instance to run the desired tree before
      // starting, instead of failing at once with NOT_CONVERGED (robust behind a load balancer).
      .input(runScriptInputSchema.extend({ waitForConvergenceMs: runConvergenceWaitSchema.optional() }))
      .output(runResultSchema),
  },
};

export type Contract = typeof contract;
