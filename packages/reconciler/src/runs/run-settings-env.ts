// A host's script-run settings from its environment (the RUN_SETTING_ENV names): the same variables,
// defaults and bounds on a core instance and on a satellite, so a limit message names a variable
// that works wherever the script ran.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_RUN_LIMITS, MAX_RUN_TIMEOUT_MS, RUN_SETTING_ENV, SpkError } from '@spk/common';
import type { ScriptRunSettings } from './run-script.ts';

const MiB = 1024 * 1024;
const envFlag = z
  .enum(['true', 'false', '1', '0', ''], { message: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true' || value === '1');
const optional = z.string().optional().transform((value) => (value === '' ? undefined : value));

/** The variables' schemas, for a host that validates them together with its own settings. */
export const runSettingsEnvShape = {
  [RUN_SETTING_ENV.maxResultBytes]: z.coerce.number().int().min(1).max(256 * MiB).default(DEFAULT_RUN_LIMITS.maxResultBytes),
  [RUN_SETTING_ENV.maxOutputBytes]: z.coerce.number().int().min(1).max(256 * MiB).default(DEFAULT_RUN_LIMITS.maxOutputBytes),
  [RUN_SETTING_ENV.maxHeapMb]: z.coerce.number().int().min(16).max(64 * 1024).default(DEFAULT_RUN_LIMITS.maxHeapMb),
  [RUN_SETTING_ENV.maxTimeoutMs]: z.coerce.number().int().min(100).max(MAX_RUN_TIMEOUT_MS).default(DEFAULT_RUN_LIMITS.maxTimeoutMs),
  [RUN_SETTING_ENV.maxConcurrent]: z.coerce.number().int().min(1).max(1024).default(DEFAULT_RUN_LIMITS.maxConcurrent),
  [RUN_SETTING_ENV.allowChildProcess]: envFlag,
  [RUN_SETTING_ENV.allowWorker]: envFlag,
  [RUN_SETTING_ENV.allowFsRead]: z
    .string()
    .default('')
    .transform((value) => value.split(':').filter(Boolean))
    .refine((paths) => paths.every((p) => path.isAbsolute(p)), 'must be absolute paths separated by ":"'),
  [RUN_SETTING_ENV.runAsUser]: optional.pipe(z.string().regex(/^[a-z_][a-z0-9_-]*\$?$/i, 'must be a user name').optional()),
};
const runEnvSchema = z.object(runSettingsEnvShape);
type ParsedRunEnv = z.infer<typeof runEnvSchema>;

export interface RunSettingsFromEnv {
  settings: Omit<ScriptRunSettings, 'runAs'>;
  runAsUser: string | undefined;
}

/** Reads the run settings; a bad value throws INVALID_INPUT naming the variable and what it must be. */
export function runSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): RunSettingsFromEnv {
  const parsed = runEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new SpkError('INVALID_INPUT', `invalid script-run settings in the environment: ${problems}; fix or unset these variables`);
  }
  return runSettingsFromParsedEnv(parsed.data);
}

/** The settings from variables already validated with `runSettingsEnvShape`. */
export function runSettingsFromParsedEnv(e: ParsedRunEnv): RunSettingsFromEnv {
  return {
    settings: {
      maxResultBytes: e[RUN_SETTING_ENV.maxResultBytes],
      maxOutputBytes: e[RUN_SETTING_ENV.maxOutputBytes],
      maxHeapMb: e[RUN_SETTING_ENV.maxHeapMb],
      maxTimeoutMs: e[RUN_SETTING_ENV.maxTimeoutMs],
      maxConcurrent: e[RUN_SETTING_ENV.maxConcurrent],
      allowChildProcess: e[RUN_SETTING_ENV.allowChildProcess],
      allowWorker: e[RUN_SETTING_ENV.allowWorker],
      allowFsRead: e[RUN_SETTING_ENV.allowFsRead].map((p) => path.resolve(p)),
    },
    runAsUser: e[RUN_SETTING_ENV.runAsUser],
  };
}
