// Operator settings kept as singleton rows: registry, size caps, active blob store. Reads fall
// back to defaults so a fresh database works without seeding. The registry configuration is kept
// whole in `registry_config.settings` with every secret sealed (secrets/secret-box.ts): a database
// dump reveals no token. Its writes lock the row, so instances writing at once take turns.
import { eq } from 'drizzle-orm';
import {
  DEFAULT_REGISTRY_TIMEOUT_MS,
  DEFAULT_REGISTRY_URL,
  DEFAULT_SIZE_CAPS,
  hasUrlCredentials,
  SpkError,
  type RegistryConfig,
  type RegistryConfigInput,
  type RegistrySettings,
  type RotateKeyResult,
  type SizeCaps,
} from '@spk/common';
import type { Db } from '../db/database.ts';
import { registryConfig, sizeCaps, storageConfig } from '../db/schema.ts';
import { nerfDart } from '../registry/request-options.ts';
import { registryConfigView } from '../registry/registry-view.ts';
import { defaultSettings, mapSecrets, parseStoredSettings, type SecretField, type StoredRegistrySettings } from '../secrets/sealed-settings.ts';
import { keyMismatchError, sealedKeyId, type SecretBox } from '../secrets/secret-box.ts';
import type { SecretKeyring } from '../secrets/secret-keyring.ts';
import { silentLogger, type Clock, type Logger } from '../services.ts';

const SINGLETON = 1;

/**
 * The registry configuration with its secrets in the clear, plus the server's request timeout:
 * what the installer and the registry client build their request options from. Memory only.
 */
export interface RegistryAccess {
  settings: RegistrySettings;
  timeoutMs: number;
}

/** What the start-up migration did to the stored registry secrets. */
export interface RegistrySecretsMigration {
  /** Plaintext secrets (the legacy token column, or values stored unsealed) sealed now. */
  sealed: number;
  /** Secrets sealed with an older key this instance still has (secret-key.previous, a key file replaced by SPK_SECRET_KEY), re-sealed with the current one. */
  resealed: number;
  /** Secrets this instance cannot open (sealed with a key it does not have): left as they are. */
  unopened: number;
}

type RegistryRow = typeof registryConfig.$inferSelect;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * A row written before URLs with `user:password@` were refused may still hold one: those
 * credentials are neither shown nor used (the registry then asks for a token, which is the fix),
 * and the start-up migration removes them from the row.
 */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/**
 * The stored settings of `row`. The `url` and `token` columns are what servers before the
 * `settings` column wrote (and only they write them now): when they say something else, they win.
 */
function storedOf(row: RegistryRow | undefined): StoredRegistrySettings {
  if (!row) return defaultSettings(DEFAULT_REGISTRY_URL);
  const stored = row.settings === null ? defaultSettings(withoutCredentials(row.url)) : parseStoredSettings(row.settings);
  const registry = row.url === stored.registry ? stored.registry : withoutCredentials(row.url);
  if (row.token === null) return { ...stored, registry };
  const dart = nerfDart(registry);
  return { ...stored, registry, auth: { ...stored.auth, [dart]: { ...stored.auth[dart], token: row.token } } };
}

/** The secret in the clear: opened when sealed, as it is when not migrated yet. */
function reveal(box: SecretBox, value: string): string {
  return box.isSealed(value) ? box.open(value) : value;
}

/** What `registry.get` shows for a secret this instance cannot open. */
function unopenedText(error: SpkError): string {
  if (error.code === 'SECRET_KEY_MISMATCH') return `set, but sealed with another key (${String(error.details?.sealedKeyId)})`;
  return 'set, but damaged (it does not decrypt): set it again';
}

/** A stand-in for a secret that cannot be opened, so the view still says the secret is set. */
const UNOPENED = '(sealed)';

export function createSettingsStore(
  db: Db,
  clock: Clock,
  defaults: { storeId: string; registryTimeoutMs?: number },
  secrets: { keys: SecretKeyring; logger?: Logger },
) {
  const { keys } = secrets;
  const log = (secrets.logger ?? silentLogger).child({ component: 'registry-settings' });
  const timeoutMs = defaults.registryTimeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;

  async function readRegistryRow() {
    const [row] = await db.select().from(registryConfig).where(eq(registryConfig.id, SINGLETON));
    return row;
  }

  /** Runs `work` in one transaction holding the registry row's lock; `create` makes the row first when there is none. */
  function locked<T>(create: boolean, work: (tx: Tx, row: RegistryRow | undefined) => Promise<T>): Promise<T> {
    return db.transaction(async (tx) => {
      // Without a row there is nothing to lock: insert one (a concurrent insert waits for ours), then lock it.
      if (create) await tx.insert(registryConfig).values({ id: SINGLETON, url: DEFAULT_REGISTRY_URL }).onConflictDoNothing();
      const [row] = await tx.select().from(registryConfig).where(eq(registryConfig.id, SINGLETON)).for('update');
      return work(tx, row);
    });
  }

  async function writeStored(tx: Tx, stored: StoredRegistrySettings, updatedAt: Date): Promise<void> {
    // `url` mirrors the default registry for readers of the old column; `token` is legacy and stays empty.
    const values = { id: SINGLETON, url: stored.registry, token: null, settings: stored, updatedAt };
    await tx.insert(registryConfig).values(values).onConflictDoUpdate({ target: registryConfig.id, set: values });
  }

  /** The decrypted settings; SECRET_KEY_MISMATCH when a secret was sealed with a key this instance lacks. */
  async function getRegistryAccess(): Promise<RegistryAccess> {
    const box = keys.box();
    return { settings: mapSecrets(storedOf(await readRegistryRow()), (value) => reveal(box, value)), timeoutMs };
  }

  const sealAll = (settings: RegistrySettings): StoredRegistrySettings => {
    const box = keys.box();
    return mapSecrets(settings, (value) => box.seal(value));
  };

  return {
    /** The whole configuration, every secret masked; a secret this instance cannot open is shown as such, never an error. */
    async getRegistry(): Promise<RegistryConfig> {
      const row = await readRegistryRow();
      const box = keys.box();
      const unopened: Array<{ dart: string; field: SecretField; text: string }> = [];
      const settings = mapSecrets(storedOf(row), (value, where) => {
        try {
          return reveal(box, value);
        } catch (error) {
          if (!(error instanceof SpkError)) throw error;
          unopened.push({ ...where, text: unopenedText(error) });
          return UNOPENED;
        }
      });
      const view = registryConfigView(settings, { timeoutMs, secretKeyId: keys.keyId(), updatedAt: row?.updatedAt ?? null });
      for (const { dart, field, text } of unopened) {
        const entry = view.auth[dart];
        if (entry) entry[field] = text;
      }
      return view;
    },

    getRegistryAccess,

    /**
     * The short form: the default registry and its token. An omitted token keeps what is stored (by
     * registry, so a token never follows the URL to another registry); `null` removes that registry's
     * credentials (token, _auth, username and password). Scopes, TLS and proxy settings are kept.
     */
    async setRegistry(input: RegistryConfigInput): Promise<void> {
      await locked(true, async (tx, row) => {
        const stored = storedOf(row);
        const dart = nerfDart(input.url);
        const auth = { ...stored.auth };
        if (input.token === null) {
          const { alwaysAuth } = auth[dart] ?? {};
          if (alwaysAuth === undefined) delete auth[dart];
          else auth[dart] = { alwaysAuth };
        } else if (input.token !== undefined) {
          auth[dart] = { ...auth[dart], token: keys.box().seal(input.token) };
        }
        await writeStored(tx, { ...stored, registry: input.url, auth }, clock.now());
      });
    },

    /** Replaces the whole configuration (an imported .npmrc), sealing every secret. */
    async replaceRegistrySettings(settings: RegistrySettings): Promise<void> {
      await locked(true, (tx) => writeStored(tx, sealAll(settings), clock.now()));
    },

    /**
     * On start, before serving: seals plaintext secrets (the legacy `token` column is moved into the
     * settings and cleared, a URL's `user:password@` dropped) and re-seals those sealed with an older
     * key. Idempotent; instances starting together take turns on the row lock.
     */
    async migrateRegistrySecrets(): Promise<RegistrySecretsMigration> {
      const outcome = await locked(false, async (tx, row) => {
        const counts: RegistrySecretsMigration = { sealed: 0, resealed: 0, unopened: 0 };
        if (!row) return { counts, unopenedKeys: [] as string[], damaged: [] as string[], droppedUrlCredentials: false };
        const box = keys.box();
        const unopenedKeys = new Set<string>();
        const damaged: string[] = [];
        const migrated = mapSecrets(storedOf(row), (value) => {
          if (!box.isSealed(value)) {
            counts.sealed++;
            return box.seal(value);
          }
          try {
            if (sealedKeyId(value) === box.keyId) return value;
            const plain = box.open(value);
            counts.resealed++;
            return box.seal(plain);
          } catch (error) {
            if (!(error instanceof SpkError)) throw error;
            counts.unopened++;
            if (error.code === 'SECRET_KEY_MISMATCH') unopenedKeys.add(String(error.details?.sealedKeyId));
            else damaged.push(error.message);
            return value;
          }
        });
        const legacy = row.settings === null || row.token !== null || row.url !== migrated.registry;
        if (legacy || counts.sealed > 0 || counts.resealed > 0) await writeStored(tx, migrated, row.updatedAt);
        return { counts, unopenedKeys: [...unopenedKeys], damaged, droppedUrlCredentials: hasUrlCredentials(row.url) };
      });
      const { counts } = outcome;
      if (outcome.droppedUrlCredentials) {
        log.warn('the stored registry URL held a user name or password (user:password@), which was never used: removed it; give credentials with spk registry import-npmrc');
      }
      if (counts.sealed > 0 || counts.resealed > 0) log.info({ ...counts, keyId: keys.keyId() }, 'sealed the stored registry secrets with the current secret key');
      const box = keys.box();
      const origin = keys.origin();
      for (const id of outcome.unopenedKeys) {
        // The likely story when this start generated the key: a second instance on a shared database without SPK_SECRET_KEY.
        const story = origin?.generated
          ? `this instance generated a new secret key at this start (${box.keyId}, saved in ${origin.file}), but the database holds registry secrets another instance sealed with its key ${id}; instances sharing a database need the same key. `
          : '';
        log.error(
          { code: 'SECRET_KEY_MISMATCH', sealedKeyId: id, keyId: box.keyId },
          `${story}${keyMismatchError(id, box.keyId).message}. Until then this instance's installs and registry lookups fail with SECRET_KEY_MISMATCH`,
        );
      }
      for (const message of outcome.damaged) log.warn({ code: 'SECRET_DAMAGED' }, message);
      return counts;
    },

    /** Re-seals every stored secret with `key` in one transaction; see secrets/secret-keyring.ts for crash safety. */
    async rotateSecretKey(key: Buffer): Promise<RotateKeyResult> {
      const { value: reencrypted, result } = await keys.rotate(key, (rotation) =>
        locked(false, async (tx, row) => {
          if (!row) return 0;
          let count = 0;
          // A secret that cannot be opened throws here: the rotation is refused before anything changed.
          const resealed = mapSecrets(storedOf(row), (value) => {
            count++;
            return rotation.to.seal(reveal(rotation.from, value));
          });
          await writeStored(tx, resealed, row.updatedAt);
          await rotation.persist();
          return count;
        }),
      );
      return { reencrypted, ...result };
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
