// Server configuration comes from the environment only, validated once at start.
import path from 'node:path';
import { z } from 'zod';
import {
  installScriptsEnvShape,
  installScriptsFromParsedEnv,
  millisSetting,
  treeGcEnvShape,
  runSettingsEnvShape,
  runSettingsFromParsedEnv,
  type InstallScriptsConfig,
  type RunSettingsFromEnv,
} from '@spk/reconciler';
import { parseSecretKey, runningNodeMajor, SECRET_KEY_ADVICE } from '@spk/backend';
import {
  DEFAULT_BLOB_GC_GRACE_MS,
  DEFAULT_BLOB_GC_INTERVAL_MS,
  DEFAULT_DATA_DIR,
  DEFAULT_HISTORY_KEEP,
  DEFAULT_MIGRATION_CONCURRENCY,
  DEFAULT_REGISTRY_TIMEOUT_MS,
  DEFAULT_SERVER_HOST,
  DEFAULT_SERVER_PORT,
  DEFAULT_TYPES_MAX_BYTES,
} from '@spk/common';
import type { LifecycleOptions } from '@spk/backend';
import { DEFAULT_WEB_DIR } from './web-console.ts';

const MiB = 1024 * 1024;
const unsetWhenEmpty = (value: unknown) => (value === '' ? undefined : value);

const DAY_MS = 24 * 3_600_000;
const booleanSetting = (fallback: boolean) =>
  z.preprocess(
    unsetWhenEmpty,
    z
      .enum(['true', 'false', '1', '0'], { message: 'must be true or false (or 1 or 0)' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  );
const optionalText = z.preprocess(unsetWhenEmpty, z.string().optional());

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
  // Seals the registry secrets in the database: base64 of 32 bytes, the same on every instance.
  // Unset: <data dir>/secret-key, generated on first start. Messages never quote the value.
  SPK_SECRET_KEY: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .superRefine((value, ctx) => {
        const parsed = parseSecretKey(value);
        if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: `${parsed.problem}: ${SECRET_KEY_ADVICE}` });
      })
      .optional(),
  ),
  SPK_HOST_ID: z.string().min(1).max(200).optional(),
  SPK_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  // How often agent.watch streams send a heartbeat and re-check the satellite's token; unset: the backend's default (15 s).
  SPK_AGENT_HEARTBEAT_MS: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ error: 'must be a whole number of milliseconds' })
      .int({ error: 'must be a whole number of milliseconds' })
      .min(100, 'must be 100 ms to 1 hour')
      .max(3_600_000, 'must be 100 ms to 1 hour')
      .optional(),
  ),
  // Verified blobs kept in memory for agents' downloads; 0 keeps none (reads are still shared).
  SPK_BLOB_CACHE_MB: z.coerce.number().int().min(0).max(64 * 1024).default(128),
  // Registry package documents kept on disk (<dataDir>/packument-cache); 0 keeps none.
  SPK_PACKUMENT_CACHE_MAX_MB: z.coerce.number().int().min(0).max(64 * 1024).default(256),
  // How long a kept package document is used without asking the registry (a registry's Cache-Control can shorten it); 0: ask every time.
  SPK_PACKUMENT_MAX_AGE_S: z.coerce.number().int().min(0).max(86_400).default(300),
  SPK_REGISTRY_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_REGISTRY_TIMEOUT_MS),
  // Declaration files for script editors (docs/editor-types.md): a closure's content ceiling, whether
  // the installer adds @types packages, and which @types/node major it adds.
  SPK_TYPES_MAX_MB: z.preprocess(
    unsetWhenEmpty,
    z.coerce.number({ error: 'must be a number of MiB' }).positive('must be a positive number of MiB').max(1024, 'must be at most 1024 MiB').default(DEFAULT_TYPES_MAX_BYTES / MiB),
  ),
  SPK_TYPES_AUTO_ADD: z.preprocess(
    unsetWhenEmpty,
    z
      .enum(['true', 'false', '1', '0'], { message: 'must be true or false (or 1 or 0)' })
      .default('true')
      .transform((value) => value === 'true' || value === '1'),
  ),
  SPK_TYPES_NODE_MAJOR: z.preprocess(
    unsetWhenEmpty,
    z.coerce
      .number({ error: 'must be a Node major version such as 20' })
      .int('must be a Node major version such as 20')
      .min(18, 'must be 18 or later')
      .max(99, 'must be a Node major version such as 20')
      .default(runningNodeMajor()),
  ),
  // History, GC and storage migration (docs/operations.md, "History and rollback", "Garbage collection", "Blob stores").
  SPK_HISTORY_KEEP: z.preprocess(
    unsetWhenEmpty,
    z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be 1 to 1000').max(1000, 'must be 1 to 1000').default(DEFAULT_HISTORY_KEEP),
  ),
  ...treeGcEnvShape,
  SPK_BLOB_GC_GRACE_MS: millisSetting(0, 365 * DAY_MS, DEFAULT_BLOB_GC_GRACE_MS),
  SPK_BLOB_GC_INTERVAL_MS: millisSetting(0, 30 * DAY_MS, DEFAULT_BLOB_GC_INTERVAL_MS),
  SPK_MIGRATION_DELETE_SOURCE: booleanSetting(false),
  SPK_MIGRATION_CONCURRENCY: z.preprocess(
    unsetWhenEmpty,
    z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be 1 to 64').max(64, 'must be 1 to 64').default(DEFAULT_MIGRATION_CONCURRENCY),
  ),
  // The S3-compatible blob store, registered as "s3" when a bucket is set. Credentials: these two, or
  // the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance roles).
  SPK_S3_BUCKET: z.preprocess(
    unsetWhenEmpty,
    z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens').optional(),
  ),
  // Trailing slashes go: keys are <prefix>/<hex>.
  SPK_S3_PREFIX: z.preprocess(
    (value) => unsetWhenEmpty(typeof value === 'string' ? value.replace(/\/+$/, '') : value),
    z
      .string()
      .regex(/^(?!\/)(?!.*\/\/)[A-Za-z0-9!_.*'()/-]*$/, "must be a plain S3 key prefix (letters, digits and !_.*'()/-, not starting with / nor holding //)")
      .default('spk-blobs'),
  ),
  SPK_S3_ENDPOINT: z.preprocess(
    unsetWhenEmpty,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .refine((value) => {
        const url = new URL(value);
        return url.username === '' && url.password === '';
      }, 'must not carry credentials; set SPK_S3_ACCESS_KEY_ID and SPK_S3_SECRET_ACCESS_KEY instead')
      .optional(),
  ),
  // Unset: AWS_REGION (or AWS_DEFAULT_REGION), as the AWS tools read it, else us-east-1.
  SPK_S3_REGION: optionalText,
  AWS_REGION: optionalText,
  AWS_DEFAULT_REGION: optionalText,
  SPK_S3_FORCE_PATH_STYLE: booleanSetting(false),
  SPK_S3_ACCESS_KEY_ID: optionalText,
  SPK_S3_SECRET_ACCESS_KEY: optionalText,
  // Where the embedded database's pre-initialised template is kept (made on first need); unset:
  // node_modules/.cache/spk-pglite-template beside the installed PGlite.
  SPK_PGLITE_TEMPLATE_DIR: optionalText,
  // The built web console served at / (docs/web-console.md); unset: this repository's apps/web/dist.
  SPK_WEB_DIR: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Script runs (docs/operations.md, "Script runs"): the same variables as on a satellite.
  ...runSettingsEnvShape,
  // Allowed lifecycle scripts (docs/operations.md, "Install scripts"): each one's timeout, the same variable as on a satellite.
  ...installScriptsEnvShape,
});

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** The filesystem blob store's directory: SPK_BLOB_DIR, else <dataDir>/blobs. */
  blobDir: string;
  adminToken: string | undefined;
  /** SPK_SECRET_KEY (validated): the key sealing the registry secrets; unset: <dataDir>/secret-key. */
  secretKey: string | undefined;
  hostId: string | undefined;
  pollIntervalMs: number;
  agentHeartbeatMs: number | undefined;
  blobCacheBytes: number;
  packumentCacheBytes: number;
  packumentMaxAgeMs: number;
  registryTimeoutMs: number;
  logLevel: string;
  /** SPK_PGLITE_TEMPLATE_DIR, resolved; undefined: the backend's default place. */
  pgliteTemplateDir: string | undefined;
  /** The web console's built files (index.html, assets/): SPK_WEB_DIR resolved, else apps/web/dist. */
  webDir: string;
  runs: RunSettingsFromEnv;
  installScripts: InstallScriptsConfig;
  types: { maxBytes: number; autoAdd: boolean; nodeMajor: number };
  lifecycle: Required<Pick<LifecycleOptions, 'historyKeep'>> & {
    treeGc: { graceMs: number; intervalMs: number };
    blobGc: { graceMs: number; intervalMs: number };
    migration: { deleteSource: boolean; concurrency: number };
  };
  /** The S3 store's settings; undefined when SPK_S3_BUCKET is not set. Never logged (it may hold the secret key). */
  s3: S3Config | undefined;
}

export interface S3Config {
  bucket: string;
  prefix: string;
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ');
    throw new Error(`invalid server configuration:\n  ${problems}\nfix the environment variables above and start again`);
  }
  const e = parsed.data;
  if ((e.SPK_S3_ACCESS_KEY_ID === undefined) !== (e.SPK_S3_SECRET_ACCESS_KEY === undefined)) {
    throw new Error(
      'invalid server configuration:\n  SPK_S3_ACCESS_KEY_ID and SPK_S3_SECRET_ACCESS_KEY go together: set both, or neither to use the standard AWS credential chain',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.SPK_DATA_DIR),
    blobDir: path.resolve(e.SPK_BLOB_DIR ?? path.join(e.SPK_DATA_DIR, 'blobs')),
    adminToken: e.SPK_ADMIN_TOKEN,
    secretKey: e.SPK_SECRET_KEY,
    hostId: e.SPK_HOST_ID,
    pollIntervalMs: e.SPK_POLL_INTERVAL_MS,
    agentHeartbeatMs: e.SPK_AGENT_HEARTBEAT_MS,
    blobCacheBytes: e.SPK_BLOB_CACHE_MB * 1024 * 1024,
    packumentCacheBytes: e.SPK_PACKUMENT_CACHE_MAX_MB * 1024 * 1024,
    packumentMaxAgeMs: e.SPK_PACKUMENT_MAX_AGE_S * 1000,
    registryTimeoutMs: e.SPK_REGISTRY_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    pgliteTemplateDir: e.SPK_PGLITE_TEMPLATE_DIR === undefined ? undefined : path.resolve(e.SPK_PGLITE_TEMPLATE_DIR),
    webDir: e.SPK_WEB_DIR === undefined ? DEFAULT_WEB_DIR : path.resolve(e.SPK_WEB_DIR),
    runs: runSettingsFromParsedEnv(e),
    installScripts: installScriptsFromParsedEnv(e),
    types: { maxBytes: Math.max(1, Math.floor(e.SPK_TYPES_MAX_MB * MiB)), autoAdd: e.SPK_TYPES_AUTO_ADD, nodeMajor: e.SPK_TYPES_NODE_MAJOR },
    lifecycle: {
      historyKeep: e.SPK_HISTORY_KEEP,
      treeGc: { graceMs: e.SPK_TREE_GC_GRACE_MS, intervalMs: e.SPK_TREE_GC_INTERVAL_MS },
      blobGc: { graceMs: e.SPK_BLOB_GC_GRACE_MS, intervalMs: e.SPK_BLOB_GC_INTERVAL_MS },
      migration: { deleteSource: e.SPK_MIGRATION_DELETE_SOURCE, concurrency: e.SPK_MIGRATION_CONCURRENCY },
    },
    s3:
      e.SPK_S3_BUCKET === undefined
        ? undefined
        : {
            bucket: e.SPK_S3_BUCKET,
            prefix: e.SPK_S3_PREFIX,
            endpoint: e.SPK_S3_ENDPOINT,
            region: e.SPK_S3_REGION ?? e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? 'us-east-1',
            forcePathStyle: e.SPK_S3_FORCE_PATH_STYLE,
            credentials:
              e.SPK_S3_ACCESS_KEY_ID !== undefined && e.SPK_S3_SECRET_ACCESS_KEY !== undefined
                ? { accessKeyId: e.SPK_S3_ACCESS_KEY_ID, secretAccessKey: e.SPK_S3_SECRET_ACCESS_KEY }
                : undefined,
          },
  };
}
