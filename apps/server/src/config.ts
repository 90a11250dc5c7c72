// Server configuration comes from the environment only, validated once at start.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_DATA_DIR, DEFAULT_REGISTRY_TIMEOUT_MS, DEFAULT_RUN_LIMITS, DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT, MAX_RUN_TIMEOUT_MS, type ScriptRunLimits } from '@spk/common';

const envFlag = z
  .enum(['true', 'false', '1', '0', ''], { message: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true' || value === '1');
const MiB = 1024 * 1024;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_SERVER_PORT),
  HOST: z.string().min(1).default(DEFAULT_SERVER_HOST),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SPK_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  // The filesystem blob store's directory; several instances using that store must share one volume here.
  SPK_BLOB_DIR: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  SPK_ADMIN_TOKEN: z
    .string()
    .min(16, 'SPK_ADMIN_TOKEN must be at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SPK_HOST_ID: z.string().min(1).max(200).optional(),
  SPK_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  SPK_REGISTRY_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_REGISTRY_TIMEOUT_MS),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Script runs (docs/operations.md, "Script runs").
  SPK_RUN_MAX_RESULT_BYTES: z.coerce.number().int().min(1).max(256 * MiB).default(DEFAULT_RUN_LIMITS.maxResultBytes),
  SPK_RUN_MAX_OUTPUT_BYTES: z.coerce.number().int().min(1).max(256 * MiB).default(DEFAULT_RUN_LIMITS.maxOutputBytes),
  SPK_RUN_MAX_HEAP_MB: z.coerce.number().int().min(16).max(64 * 1024).default(DEFAULT_RUN_LIMITS.maxHeapMb),
  SPK_RUN_MAX_TIMEOUT_MS: z.coerce.number().int().min(100).max(MAX_RUN_TIMEOUT_MS).default(DEFAULT_RUN_LIMITS.maxTimeoutMs),
  SPK_RUN_MAX_CONCURRENT: z.coerce.number().int().min(1).max(1024).default(DEFAULT_RUN_LIMITS.maxConcurrent),
  SPK_RUN_ALLOW_CHILD_PROCESS: envFlag,
  SPK_RUN_ALLOW_WORKER: envFlag,
  SPK_RUN_ALLOW_FS_READ: z
    .string()
    .default('')
    .transform((value) => value.split(':').filter(Boolean))
    .refine((paths) => paths.every((p) => path.isAbsolute(p)), 'SPK_RUN_ALLOW_FS_READ must be absolute paths separated by ":"'),
  SPK_RUN_AS_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*\$?$/i, 'SPK_RUN_AS_USER must be a user name')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

export interface RunConfig {
  limits: ScriptRunLimits;
  allowChildProcess: boolean;
  allowWorker: boolean;
  allowFsRead: string[];
  runAsUser: string | undefined;
}

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** The filesystem blob store's directory: SPK_BLOB_DIR, else <dataDir>/blobs. */
  blobDir: string;
  adminToken: string | undefined;
  hostId: string | undefined;
  pollIntervalMs: number;
  registryTimeoutMs: number;
  logLevel: string;
  runs: RunConfig;
}

export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ');
    throw new Error(`invalid server configuration:\n  ${problems}\nfix the environment variables above and start again`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.SPK_DATA_DIR),
    blobDir: path.resolve(e.SPK_BLOB_DIR ?? path.join(e.SPK_DATA_DIR, 'blobs')),
    adminToken: e.SPK_ADMIN_TOKEN,
    hostId: e.SPK_HOST_ID,
    pollIntervalMs: e.SPK_POLL_INTERVAL_MS,
    registryTimeoutMs: e.SPK_REGISTRY_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    runs: {
      limits: {
        maxResultBytes: e.SPK_RUN_MAX_RESULT_BYTES,
        maxOutputBytes: e.SPK_RUN_MAX_OUTPUT_BYTES,
        maxHeapMb: e.SPK_RUN_MAX_HEAP_MB,
        maxTimeoutMs: e.SPK_RUN_MAX_TIMEOUT_MS,
        maxConcurrent: e.SPK_RUN_MAX_CONCURRENT,
      },
      allowChildProcess: e.SPK_RUN_ALLOW_CHILD_PROCESS,
      allowWorker: e.SPK_RUN_ALLOW_WORKER,
      allowFsRead: e.SPK_RUN_ALLOW_FS_READ.map((p) => path.resolve(p)),
      runAsUser: e.SPK_RUN_AS_USER,
    },
  };
}
