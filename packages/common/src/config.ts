// Operator configuration that the backend stores and every host may need to know about.
import { z } from 'zod';
import { hasUrlCredentials } from './redact.ts';

const MiB = 1024 * 1024;

export const registryConfigInputSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'the registry URL must be an http(s) URL' })
    // A URL is echoed by the API and shows up in errors and logs: a secret must never ride in one.
    .refine((url) => !hasUrlCredentials(url), {
      error: 'the registry URL must not contain a user name or password (user:password@); set the URL without them and pass the token with --token-stdin',
    }),
  /** Write-only: `null` clears the stored token, omitting it keeps the current one. */
  token: z.string().min(1).max(4096).nullable().optional(),
});
export type RegistryConfigInput = z.infer<typeof registryConfigInputSchema>;

/** What the API returns: never the token itself. */
export const registryConfigSchema = z.object({
  url: z.string(),
  hasToken: z.boolean(),
  updatedAt: z.iso.datetime().nullable(),
});
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

export const DEFAULT_REGISTRY_URL = 'https://registry.npmjs.org/';
/** How long one registry request may go unanswered before the install fails with "timed out". */
export const DEFAULT_REGISTRY_TIMEOUT_MS = 60_000;

export const BLOB_STORE_IDS = ['postgres', 'filesystem'] as const;
export const blobStoreIdSchema = z.string().min(1).max(64);

export const storageConfigSchema = z.object({
  activeStore: blobStoreIdSchema,
  availableStores: z.array(blobStoreIdSchema),
  blobCount: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative(),
});
export type StorageConfig = z.infer<typeof storageConfigSchema>;

/** Switching is refused unless the target store already holds every blob of the desired state. */
export const storageSetInputSchema = z.strictObject({ activeStore: blobStoreIdSchema });
export type StorageSetInput = z.infer<typeof storageSetInputSchema>;

export const DEFAULT_SIZE_CAPS = {
  warnTotalBytes: 150 * MiB,
  blockTotalBytes: 300 * MiB,
  maxPackageBytes: 100 * MiB,
} as const;

export const sizeCapsSchema = z
  .strictObject({
    warnTotalBytes: z.number().int().positive(),
    blockTotalBytes: z.number().int().positive(),
    maxPackageBytes: z.number().int().positive(),
  })
  .refine((caps) => caps.warnTotalBytes <= caps.blockTotalBytes, {
    path: ['warnTotalBytes'],
    message: 'the warn threshold must not exceed the block threshold; lower warnTotalBytes or raise blockTotalBytes',
  });
export type SizeCaps = z.infer<typeof sizeCapsSchema>;
