// Server configuration comes from the environment only, validated once at start.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_DATA_DIR, DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT } from '@spk/common';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_SERVER_PORT),
  HOST: z.string().min(1).default(DEFAULT_SERVER_HOST),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SPK_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  SPK_ADMIN_TOKEN: z
    .string()
    .min(16, 'SPK_ADMIN_TOKEN must be at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SPK_HOST_ID: z.string().min(1).max(200).optional(),
  SPK_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  adminToken: string | undefined;
  hostId: string | undefined;
  pollIntervalMs: number;
  logLevel: string;
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
    adminToken: e.SPK_ADMIN_TOKEN,
    hostId: e.SPK_HOST_ID,
    pollIntervalMs: e.SPK_POLL_INTERVAL_MS,
    logLevel: e.LOG_LEVEL,
  };
}
