// What each host (core instance or satellite) reports about the tree it runs.
import { z } from 'zod';
import { lockfileHashSchema } from './manifest.ts';

export const HOST_KINDS = ['core', 'satellite'] as const;

export const hostStatusSchema = z.object({
  hostId: z.string().min(1).max(200),
  kind: z.enum(HOST_KINDS),
  lockfileHash: lockfileHashSchema.nullable(),
  convergedAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  updatedAt: z.iso.datetime(),
});
export type HostStatus = z.infer<typeof hostStatusSchema>;
