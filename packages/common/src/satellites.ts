// Satellites: remote hosts that run the agent. An admin creates a named identity and gets its token
// once; the agent then reads the desired state, follows `agent.watch`, and reports what it runs.
import * as z from 'zod';
import { desiredStateSchema } from './install-state.ts';
import { hostDiskSchema } from './lifecycle.ts';
import { integritySchema, lockfileHashSchema } from './manifest.ts';
import { identityNameSchema } from './tokens.ts';

export const satelliteNameSchema = identityNameSchema('satellite', 'dc2-probe-1');

export const createSatelliteInputSchema = z.strictObject({ name: satelliteNameSchema });
export const satelliteNameInputSchema = z.strictObject({ name: satelliteNameSchema });

export const satelliteInfoSchema = z.object({
  name: z.string(),
  createdAt: z.iso.datetime(),
  /** When the satellite last called the core with its token (accurate to about a minute), or null. */
  lastSeenAt: z.iso.datetime().nullable(),
});
export type SatelliteInfo = z.infer<typeof satelliteInfoSchema>;

export const createdSatelliteSchema = satelliteInfoSchema.extend({
  /** Shown only here: the core keeps just its sha256. */
  token: z.string(),
});
export type CreatedSatellite = z.infer<typeof createdSatelliteSchema>;

/** `agent.desired`: the committed desired state, or null before the first install committed. */
export const agentDesiredSchema = z.object({
  desired: desiredStateSchema.nullable(),
  /** The core's poll interval: an agent reports at least this often, or it shows as stale. */
  pollIntervalMs: z.number().int().positive(),
  /**
   * Blobs of the kept history (each once): a satellite's tree GC keeps them in its cache, so a
   * rollback needs no download. Absent from cores before history was kept.
   */
  retainedIntegrities: z.array(integritySchema).optional(),
});
export type AgentDesired = z.infer<typeof agentDesiredSchema>;

/**
 * `agent.watch` events. The first event is `desired` with the current hash, at once; then one
 * `desired` per newly committed hash, and a `heartbeat` (with the current hash) every heartbeat
 * interval, so an agent can tell a quiet stream from a dead one.
 */
/** Every event says how often heartbeats come, so an agent knows when a quiet stream is a dead one. */
const heartbeatMsSchema = z.number().int().positive();

export const agentWatchEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('desired'), lockfileHash: lockfileHashSchema.nullable(), heartbeatMs: heartbeatMsSchema }),
  z.object({ type: z.literal('heartbeat'), lockfileHash: lockfileHashSchema.nullable(), at: z.iso.datetime(), heartbeatMs: heartbeatMsSchema }),
]);
export type AgentWatchEvent = z.infer<typeof agentWatchEventSchema>;

export const MAX_REPORTED_ERROR_LENGTH = 2000;

export const agentReportSchema = z.strictObject({
  /** The row in `hosts.status`; defaults to the satellite's name. One satellite token, one host id. */
  hostId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/, 'a host id is 1 to 200 letters, digits or . _ : @ -').optional(),
  lockfileHash: lockfileHashSchema.nullable(),
  convergedAt: z.iso.datetime().nullable(),
  lastError: z.string().max(MAX_REPORTED_ERROR_LENGTH).nullable(),
  agentVersion: z.string().min(1).max(64),
  hostname: z.string().min(1).max(255),
  /** What the last reconcile pulled from the core (0 and 0 when it needed nothing). `blobs` fits the table's integer column. */
  lastPull: z.object({ blobs: z.number().int().nonnegative().max(2 ** 31 - 1), bytes: z.number().int().nonnegative() }).nullable(),
  /** Its trees, cache size and last tree GC pass; agents before tree GC do not send it. */
  disk: hostDiskSchema.nullable().optional(),
});
export type AgentReport = z.infer<typeof agentReportSchema>;

export const agentReportResultSchema = z.object({
  hostId: z.string(),
  pollIntervalMs: z.number().int().positive(),
});
export type AgentReportResult = z.infer<typeof agentReportResultSchema>;
