// Operator settings kept as singleton rows: registry, size caps, active blob store. Reads fall
// back to defaults so a fresh database works without seeding.
import { eq } from 'drizzle-orm';
import {
  DEFAULT_REGISTRY_TIMEOUT_MS,
  DEFAULT_REGISTRY_URL,
  DEFAULT_SIZE_CAPS,
  redactUrlCredentials,
  type RegistryConfig,
  type RegistryConfigInput,
  type SizeCaps,
} from '@spk/common';
import type { Db } from '../db/database.ts';
import { registryConfig, sizeCaps, storageConfig } from '../db/schema.ts';
import type { Clock } from '../services.ts';

const SINGLETON = 1;

/** Registry settings including the secret; only the installer may see this shape. */
export interface RegistryCredentials {
  url: string;
  token: string | null;
  /** How long one registry request may go unanswered. */
  timeoutMs: number;
}

/**
 * A row written before URLs with `user:password@` were refused may still hold one: those
 * credentials are neither shown nor used (the registry then asks for a token, which is the fix).
 */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

export function createSettingsStore(db: Db, clock: Clock, defaults: { storeId: string; registryTimeoutMs?: number }) {
  async function readRegistryRow() {
    const [row] = await db.select().from(registryConfig).where(eq(registryConfig.id, SINGLETON));
    return row;
  }

  return {
    async getRegistry(): Promise<RegistryConfig> {
      const row = await readRegistryRow();
      return {
        url: redactUrlCredentials(row?.url ?? DEFAULT_REGISTRY_URL),
        hasToken: Boolean(row?.token),
        updatedAt: row ? row.updatedAt.toISOString() : null,
      };
    },

    async getRegistryCredentials(): Promise<RegistryCredentials> {
      const row = await readRegistryRow();
      return {
        url: withoutCredentials(row?.url ?? DEFAULT_REGISTRY_URL),
        token: row?.token ?? null,
        timeoutMs: defaults.registryTimeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS,
      };
    },

    async setRegistry(input: RegistryConfigInput): Promise<void> {
      const current = await readRegistryRow();
      const token = input.token === undefined ? (current?.token ?? null) : input.token;
      const values = { id: SINGLETON, url: input.url, token, updatedAt: clock.now() };
      await db.insert(registryConfig).values(values).onConflictDoUpdate({ target: registryConfig.id, set: values });
    },

    async getSizeCaps(): Promise<SizeCaps> {
      const [row] = await db.select().from(sizeCaps).where(eq(sizeCaps.id, SINGLETON));
      if (!row) return { ...DEFAULT_SIZE_CAPS };
      return { warnTotalBytes: row.warnTotalBytes, blockTotalBytes: row.blockTotalBytes, maxPackageBytes: row.maxPackageBytes };
    },

    async setSizeCaps(caps: SizeCaps): Promise<void> {
      const values = { id: SINGLETON, ...caps, updatedAt: clock.now() };
      await db.insert(sizeCaps).values(values).onConflictDoUpdate({ target: sizeCaps.id, set: values });
    },

    async getActiveStoreId(): Promise<string> {
      const [row] = await db.select().from(storageConfig).where(eq(storageConfig.id, SINGLETON));
      return row?.activeStore ?? defaults.storeId;
    },

    /** Only through the active-store switch, which first checks that the store holds the desired blobs. */
    async setActiveStoreId(storeId: string): Promise<void> {
      const values = { id: SINGLETON, activeStore: storeId, updatedAt: clock.now() };
      await db.insert(storageConfig).values(values).onConflictDoUpdate({ target: storageConfig.id, set: values });
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
