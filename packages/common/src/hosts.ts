// What each host (core instance or satellite) reports about the tree it runs, when it counts as
// stale, and how a caller waits for the instance it talks to to run a given tree.
import * as z from 'zod';
import { hostDiskSchema } from './lifecycle.ts';
import { lockfileHashSchema } from './manifest.ts';

export const HOST_KINDS = ['core', 'satellite'] as const;

/** A host reports at least once per poll interval; this many missed reports make it stale. */
export const STALE_AFTER_POLL_INTERVALS = 3;

export const hostStatusSchema = z.object({
  hostId: z.string().min(1).max(200),
  kind: z.enum(HOST_KINDS),
  lockfileHash: lockfileHashSchema.nullable(),
  /** When the host's tree first reached `lockfileHash` (kept across later reports of the same hash). */
  convergedAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  /** When the host last reported; a running host reports at least once per poll interval. */
  lastSeenAt: z.iso.datetime(),
  /** Not seen for STALE_AFTER_POLL_INTERVALS poll intervals of the answering instance: stopped, hung or cut off. */
  stale: z.boolean(),
  /** Same as `lastSeenAt`; kept for clients written before it. */
  updatedAt: z.iso.datetime(),
  /** Satellites only (null for core instances): what the agent reported about itself. */
  satellite: z
    .object({
      name: z.string(),
      agentVersion: z.string(),
      hostname: z.string(),
      /** What its last reconcile pulled from the core. */
      lastPull: z.object({ blobs: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }).nullable(),
    })
    .nullable(),
  /** Trees and package cache on the host, and its last tree GC pass; null until it reported them. */
  disk: hostDiskSchema.nullable(),
});
export type HostStatus = z.infer<typeof hostStatusSchema>;

/** Whether a host last seen at `lastSeenAt` counts as stale at `now`. */
export function isStaleHost(lastSeenAt: Date, now: Date, pollIntervalMs: number): boolean {
  return now.getTime() - lastSeenAt.getTime() > STALE_AFTER_POLL_INTERVALS * pollIntervalMs;
}

/** Longest single wait for convergence; longer waits repeat the call (load balancers cut idle requests). */
export const MAX_CONVERGENCE_WAIT_MS = 5 * 60_000;
/** Longest wait a script run may ask for before it starts. */
export const MAX_RUN_CONVERGENCE_WAIT_MS = 60_000;

export const waitConvergedInputSchema = z.strictObject({
  lockfileHash: lockfileHashSchema,
  timeoutMs: z.number().int().positive().max(MAX_CONVERGENCE_WAIT_MS),
});
export type WaitConvergedInput = z.infer<typeof waitConvergedInputSchema>;

export const waitConvergedResultSchema = z.object({
  /** The instance that answered: behind a load balancer, the next call may reach another one. */
  hostId: z.string(),
  lockfileHash: lockfileHashSchema,
  /** How long this call waited, in ms (0 when the host already ran the tree). */
  waitedMs: z.number().nonnegative(),
});
export type WaitConvergedResult = z.infer<typeof waitConvergedResultSchema>;

/** The `runs.execute` option: wait up to this long for the answering instance to run the desired tree. */
export const runConvergenceWaitSchema = z.number().int().nonnegative().max(MAX_RUN_CONVERGENCE_WAIT_MS);

/** Every host's status, as `hosts.status` answers and `hosts.watch` streams it. */
export const hostsSnapshotSchema = z.object({ hosts: z.array(hostStatusSchema) });
export type HostsSnapshot = z.infer<typeof hostsSnapshotSchema>;
