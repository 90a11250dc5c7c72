// Hook ids broadcast between core instances (satellites hear of changes through `agent.watch`).
// Liveness only: a host that misses one converges from the durable desired state.
import * as z from 'zod';
import { lockfileHashSchema } from './manifest.ts';

export const SCRIPT_PACKAGES_CHANGED = 'script-packages.changed' as const;

export const changedPayloadSchema = z.object({
  lockfileHash: lockfileHashSchema,
  committedAt: z.iso.datetime(),
});
export type ChangedPayload = z.infer<typeof changedPayloadSchema>;

/** A satellite was revoked: every instance closes that satellite's open watch streams at once. */
export const SATELLITE_REVOKED = 'satellite.revoked' as const;

export const satelliteRevokedPayloadSchema = z.object({ name: z.string() });
export type SatelliteRevokedPayload = z.infer<typeof satelliteRevokedPayloadSchema>;

export interface HookPayloads {
  [SCRIPT_PACKAGES_CHANGED]: ChangedPayload;
  [SATELLITE_REVOKED]: SatelliteRevokedPayload;
}
export type HookId = keyof HookPayloads;
