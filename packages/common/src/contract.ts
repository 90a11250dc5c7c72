// The oRPC contract: the one description of the API. The backend implements it, the CLI, the
// agent and the web page are typed clients of it, and the OpenAPI document is generated from it.
import { oc } from '@orpc/contract';
import { z } from 'zod';
import type { Permission } from './access.ts';
import { registryConfigInputSchema, registryConfigSchema, sizeCapsSchema, storageConfigSchema } from './config.ts';
import { fsckInputSchema, fsckResultSchema } from './fsck.ts';
import { hostStatusSchema } from './hosts.ts';
import { runResultSchema, runScriptInputSchema } from './runs.ts';
import { installStateSchema, installTriggerResultSchema } from './install-state.ts';
import {
  addPackageInputSchema,
  declaredPackageSchema,
  packageNameInputSchema,
  updatePackageInputSchema,
} from './packages.ts';

export interface ProcedureMeta {
  permission: Permission;
}

const base = oc.$meta<ProcedureMeta>({ permission: 'read' });
const read = base;
const manage = base.meta({ permission: 'manage' });

export const contract = {
  packages: {
    list: read
      .route({ method: 'GET', path: '/packages', summary: 'List declared packages' })
      .output(z.object({ packages: z.array(declaredPackageSchema) })),
    add: manage
      .route({ method: 'POST', path: '/packages', summary: 'Declare a package', successStatus: 201 })
      .input(addPackageInputSchema)
      .output(declaredPackageSchema),
    update: manage
      .route({ method: 'PATCH', path: '/packages/{+name}', summary: 'Change a declared range or enable/disable it' })
      .input(updatePackageInputSchema)
      .output(declaredPackageSchema),
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
  },
  registry: {
    get: read.route({ method: 'GET', path: '/registry', summary: 'Registry configuration (never the token)' }).output(registryConfigSchema),
    set: manage
      .route({ method: 'PUT', path: '/registry', summary: 'Set the registry URL and token' })
      .input(registryConfigInputSchema)
      .output(registryConfigSchema),
  },
  storage: {
    get: read.route({ method: 'GET', path: '/storage', summary: 'Active blob store and usage' }).output(storageConfigSchema),
  },
  sizeCaps: {
    get: read.route({ method: 'GET', path: '/size-caps', summary: 'Size caps for installs' }).output(sizeCapsSchema),
    set: manage.route({ method: 'PUT', path: '/size-caps', summary: 'Change the size caps' }).input(sizeCapsSchema).output(sizeCapsSchema),
  },
  hosts: {
    status: read
      .route({ method: 'GET', path: '/hosts', summary: 'Install status of every host' })
      .output(z.object({ hosts: z.array(hostStatusSchema) })),
    fsck: manage
      .route({
        method: 'POST',
        path: '/hosts/fsck',
        summary: "Verify this core instance's package store and trees against the verified blobs; with repair, rebuild what differs",
      })
      .input(fsckInputSchema)
      .output(fsckResultSchema),
  },
  runs: {
    execute: manage
      .route({ method: 'POST', path: '/runs', summary: 'Run a script on this core instance against its current tree' })
      .input(runScriptInputSchema)
      .output(runResultSchema),
  },
};

export type Contract = typeof contract;
