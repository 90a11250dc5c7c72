// The durable desired state and the install state machine's public view.
import * as z from 'zod';
import { ERROR_CODES } from './errors.ts';
import { lockfileHashSchema, manifestSchema } from './manifest.ts';

export const INSTALL_STATUSES = ['idle', 'installing', 'failed'] as const;
export const INSTALL_PHASES = ['resolving', 'fetching', 'checking', 'publishing', 'committing'] as const;

export const installProgressSchema = z.object({
  phase: z.enum(INSTALL_PHASES),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type InstallProgress = z.infer<typeof installProgressSchema>;

export const stateErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
export type StateError = z.infer<typeof stateErrorSchema>;

export const installStateSchema = z.object({
  status: z.enum(INSTALL_STATUSES),
  /** Hash of the last successfully committed manifest: the desired state every host converges to. */
  lockfileHash: lockfileHashSchema.nullable(),
  manifest: manifestSchema,
  totalSize: z.number().int().nonnegative(),
  warnings: z.array(z.string()),
  error: stateErrorSchema.nullable(),
  progress: installProgressSchema.nullable(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  committedAt: z.iso.datetime().nullable(),
});
export type InstallState = z.infer<typeof installStateSchema>;

export const installTriggerResultSchema = z.object({
  started: z.boolean(),
  state: installStateSchema,
});

export const desiredStateSchema = z.object({
  lockfileHash: lockfileHashSchema,
  manifest: manifestSchema,
});
export type DesiredState = z.infer<typeof desiredStateSchema>;

/** The state of a system where nothing was ever installed. */
export function emptyInstallState(): InstallState {
  return { status: 'idle', lockfileHash: null, manifest: [], totalSize: 0, warnings: [], error: null, progress: null, startedAt: null, finishedAt: null, committedAt: null };
}
