// Hook ids broadcast between core instances (and, once the satellite agent exists, to
// satellites). Liveness only: a host that misses one converges from the durable desired state.
import { z } from 'zod';
import { lockfileHashSchema } from './manifest.ts';

export const SCRIPT_PACKAGES_CHANGED = 'script-packages.changed' as const;

export const changedPayloadSchema = z.object({
  lockfileHash: lockfileHashSchema,
  committedAt: z.iso.datetime(),
});
export type ChangedPayload = z.infer<typeof changedPayloadSchema>;

export interface HookPayloads {
  [SCRIPT_PACKAGES_CHANGED]: ChangedPayload;
}
export type HookId = keyof HookPayloads;
