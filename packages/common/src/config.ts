// Operator configuration that the backend stores and every host may need to know about.
import * as z from 'zod';

const MiB = 1024 * 1024;

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
