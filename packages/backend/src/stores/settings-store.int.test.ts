import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registrySettingsSchema, type RegistrySettings } from '@spk/common';
import { registryConfig } from '../db/schema.ts';
import { secretKeyId } from '../secrets/secret-box.ts';
import { secretKeyFile } from '../secrets/secret-key.ts';
import { createSecretKeyring, type SecretKeyring } from '../secrets/secret-keyring.ts';
import { systemClock } from '../services.ts';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import { createSettingsStore, type SettingsStore } from './settings-store.ts';

// Secrets long enough that the masked view shows their last four characters: a leak of any other
// part shows up as the whole value, or as its base64, in what the test reads back.
const TOKEN = 'npm_DEFAULTTOKEN_0123456789';
const SCOPED_TOKEN = 'npm_SCOPEDTOKEN_9876543210';
const BASIC = Buffer.from('alice:BASICPASSWORD_42').toString('base64');
const PASSWORD = 'PLAINPASSWORD_secret_77';
const SECRETS = [TOKEN, SCOPED_TOKEN, BASIC, PASSWORD];

const fullSettings: RegistrySettings = registrySettingsSchema.parse({
  registry: 'https://registry.example/',
  scopes: { '@acme': 'https://npm.acme.example/private/' },
  auth: {
    '//registry.example/': { token: TOKEN },
    '//npm.acme.example/private/': { token: SCOPED_TOKEN, alwaysAuth: true },
    '//basic.example/': { auth: BASIC },
    '//userpass.example/': { username: 'bob', password: PASSWORD },
  },
  alwaysAuth: false,
  strictSsl: false,
  httpsProxy: 'http://proxy.example:3128/',
  noproxy: ['localhost', '.internal.example'],
});

/** Nothing a dump of the row shows may hold a secret, in the clear or base64-encoded. */
function expectNoSecretIn(text: string, secrets: readonly string[] = SECRETS) {
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(secret).toString('base64'));
  }
}

describe.each(testDrivers())('registry settings store (%s)', (driver) => {
  let t: TestDatabase;
  let dataDir: string;
  let lines: LogLine[];

  async function keyring(envValue?: string, dir = dataDir): Promise<SecretKeyring> {
    const keys = createSecretKeyring({ envValue, dataDir: dir, logger: memoryLogger(lines) });
    await keys.load();
    return keys;
  }
  const storeWith = (keys: SecretKeyring): SettingsStore =>
    createSettingsStore(t.database.db, systemClock, { storeId: 'postgres', registryTimeoutMs: 5_000 }, { keys, logger: memoryLogger(lines) });
  const rawRow = async () => (await t.database.db.select().from(registryConfig).where(eq(registryConfig.id, 1)))[0];

  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(() => t?.drop());
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spk-settings-'));
    lines = [];
    await t.database.db.delete(registryConfig);
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('answers the defaults on a fresh database', async () => {
    const store = storeWith(await keyring());
    expect(await store.getRegistry()).toMatchObject({ registry: 'https://registry.npmjs.org/', hasToken: false, auth: {}, updatedAt: null, timeoutMs: 5_000 });
    expect((await store.getRegistryAccess()).settings).toEqual(registrySettingsSchema.parse({ registry: 'https://registry.npmjs.org/' }));
  });

  it('keeps an imported configuration whole with every secret sealed: the row holds no secret, the view masks them', async () => {
    const keys = await keyring();
    const store = storeWith(keys);
    await store.replaceRegistrySettings(fullSettings);

    const row = await rawRow();
    expectNoSecretIn(JSON.stringify(row));
    expect(row).toMatchObject({ url: 'https://registry.example/', token: null });
    expect(JSON.stringify(row?.settings)).toContain(`spk-sealed:v1:${keys.keyId()}:`);

    expect((await store.getRegistryAccess()).settings).toEqual(fullSettings);
    const view = await store.getRegistry();
    expectNoSecretIn(JSON.stringify(view));
    expect(view).toMatchObject({
      registry: 'https://registry.example/',
      hasToken: true,
      secretKeyId: keys.keyId(),
      scopes: { '@acme': 'https://npm.acme.example/private/' },
      strictSsl: false,
      httpsProxy: 'http://proxy.example:3128/',
      noproxy: ['localhost', '.internal.example'],
    });
    expect(view.auth['//npm.acme.example/private/']).toEqual({ token: 'set, ends in …3210', auth: null, username: null, password: null, alwaysAuth: true });
    expect(view.auth['//userpass.example/']).toMatchObject({ username: 'bob', password: 'set, ends in …t_77' });
  });

  it('sets the default registry and its token, keeping the rest; a token stays with its registry', async () => {
    const store = storeWith(await keyring());
    await store.replaceRegistrySettings(fullSettings);

    await store.setRegistry({ url: 'https://mirror.example/npm/', token: 'npm_MIRRORTOKEN_000111' });
    let access = (await store.getRegistryAccess()).settings;
    expect(access).toEqual({ ...fullSettings, registry: 'https://mirror.example/npm/', auth: { ...fullSettings.auth, '//mirror.example/npm/': { token: 'npm_MIRRORTOKEN_000111' } } });
    expect((await rawRow())?.url).toBe('https://mirror.example/npm/');
    expectNoSecretIn(JSON.stringify(await rawRow()), [...SECRETS, 'npm_MIRRORTOKEN_000111']);

    // Back to the first registry without a token: its own token is used again, the mirror's is kept for the mirror.
    await store.setRegistry({ url: 'https://registry.example/' });
    access = (await store.getRegistryAccess()).settings;
    expect(access.auth['//registry.example/']).toEqual({ token: TOKEN });
    expect(access.auth['//mirror.example/npm/']).toEqual({ token: 'npm_MIRRORTOKEN_000111' });

    // null removes that registry's credentials and nothing else.
    await store.setRegistry({ url: 'https://npm.acme.example/private/', token: null });
    access = (await store.getRegistryAccess()).settings;
    expect(access.auth['//npm.acme.example/private/']).toEqual({ alwaysAuth: true });
    expect(access.auth['//registry.example/']).toEqual({ token: TOKEN });
    expect(access.scopes).toEqual(fullSettings.scopes);
    expect((await store.getRegistry()).hasToken).toBe(false);
  });

  it('migrates a legacy row on start: the plaintext token is sealed, the column and URL credentials cleared; again changes nothing', async () => {
    const updatedAt = new Date('2024-01-02T03:04:05.000Z');
    await t.database.db.insert(registryConfig).values({ id: 1, url: 'https://olduser:OLDPASSWORD@legacy.example/npm', token: TOKEN, updatedAt });
    const keys = await keyring();
    const store = storeWith(keys);
    // Before the migration ran, reads already see the legacy columns (credentials in the URL never used).
    expect((await store.getRegistryAccess()).settings).toMatchObject({ registry: 'https://legacy.example/npm', auth: { '//legacy.example/npm/': { token: TOKEN } } });

    expect(await store.migrateRegistrySecrets()).toEqual({ sealed: 1, resealed: 0, unopened: 0 });
    const row = await rawRow();
    expectNoSecretIn(JSON.stringify(row), [TOKEN, 'OLDPASSWORD']);
    expect(row).toMatchObject({ url: 'https://legacy.example/npm', token: null, updatedAt });
    expect((await store.getRegistryAccess()).settings).toEqual(
      registrySettingsSchema.parse({ registry: 'https://legacy.example/npm', auth: { '//legacy.example/npm/': { token: TOKEN } } }),
    );
    expect(lines.map((l) => l.msg)).toContain(
      'the stored registry URL held a user name or password (user:password@), which was never used: removed it; give credentials with spk registry import-npmrc',
    );
    expectNoSecretIn(JSON.stringify(lines), [TOKEN, 'OLDPASSWORD']);

    expect(await store.migrateRegistrySecrets()).toEqual({ sealed: 0, resealed: 0, unopened: 0 });
    expect(await rawRow()).toEqual(row);
  });

  it('seals secrets stored in the clear in the settings column', async () => {
    await t.database.db.insert(registryConfig).values({ id: 1, url: fullSettings.registry, settings: fullSettings });
    const store = storeWith(await keyring());
    expect(await store.migrateRegistrySecrets()).toEqual({ sealed: 4, resealed: 0, unopened: 0 });
    expectNoSecretIn(JSON.stringify(await rawRow()));
    expect((await store.getRegistryAccess()).settings).toEqual(fullSettings);
  });

  it('seals a legacy token once when two instances start at the same time', async () => {
    await t.database.db.insert(registryConfig).values({ id: 1, url: 'https://legacy.example/', token: TOKEN });
    const key = randomBytes(32).toString('base64');
    const [a, b] = [storeWith(await keyring(key)), storeWith(await keyring(key))];
    const outcomes = await Promise.all([a.migrateRegistrySecrets(), b.migrateRegistrySecrets()]);
    expect(outcomes.map((o) => o.sealed).sort()).toEqual([0, 1]);
    expectNoSecretIn(JSON.stringify(await rawRow()));
    expect((await b.getRegistryAccess()).settings.auth).toEqual({ '//legacy.example/': { token: TOKEN } });
  });

  it('with another key: get still answers, naming the key the secrets need; access and migration refuse to guess', async () => {
    const sealing = await keyring(randomBytes(32).toString('base64'));
    await storeWith(sealing).replaceRegistrySettings(fullSettings);
    const other = await keyring(randomBytes(32).toString('base64'));
    const store = storeWith(other);

    const view = await store.getRegistry();
    expect(view.auth['//registry.example/']?.token).toBe(`set, but sealed with another key (${sealing.keyId()})`);
    expect(view.auth['//userpass.example/']).toMatchObject({ username: 'bob', password: `set, but sealed with another key (${sealing.keyId()})` });
    expect(view).toMatchObject({ hasToken: true, secretKeyId: other.keyId() });

    const error = await store.getRegistryAccess().catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'SECRET_KEY_MISMATCH', details: { sealedKeyId: sealing.keyId(), keyId: other.keyId() } });

    const before = await rawRow();
    expect(await store.migrateRegistrySecrets()).toEqual({ sealed: 0, resealed: 0, unopened: 4 });
    expect(await rawRow()).toEqual(before);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', fields: expect.objectContaining({ code: 'SECRET_KEY_MISMATCH', sealedKeyId: sealing.keyId() }) }));
  });

  it('says at start, as an error, that a second instance generated its own key instead of sharing the first one\'s', async () => {
    const first = await keyring();
    await storeWith(first).replaceRegistrySettings(fullSettings);
    const otherDir = await mkdtemp(path.join(tmpdir(), 'spk-settings-other-'));
    try {
      lines.length = 0;
      const second = await keyring(undefined, otherDir);
      expect(await storeWith(second).migrateRegistrySecrets()).toMatchObject({ unopened: 4 });
      const error = lines.find((line) => line.level === 'error');
      expect(error?.fields).toMatchObject({ code: 'SECRET_KEY_MISMATCH', sealedKeyId: first.keyId(), keyId: second.keyId() });
      expect(error?.msg).toContain(`this instance generated a new secret key at this start (${second.keyId()}, saved in ${secretKeyFile(otherDir)})`);
      expect(error?.msg).toContain('instances sharing a database need the same key');
      expect(error?.msg).toContain(`set SPK_SECRET_KEY to the key the secrets were sealed with (id ${first.keyId()}) on every instance`);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('rotation re-seals every secret with the new key in the file; the old key no longer opens them', async () => {
    const keys = await keyring();
    const oldKey = (await readFile(secretKeyFile(dataDir), 'utf8')).trim();
    const store = storeWith(keys);
    await store.replaceRegistrySettings(fullSettings);

    const newKey = randomBytes(32);
    const result = await store.rotateSecretKey(newKey);
    expect(result).toMatchObject({ reencrypted: 4, keyId: secretKeyId(newKey), source: 'file' });
    expect(result.note).toContain(secretKeyFile(dataDir));
    expectNoSecretIn(JSON.stringify(result), [...SECRETS, newKey.toString('base64'), oldKey]);

    const row = JSON.stringify(await rawRow());
    expectNoSecretIn(row);
    expect(row).toContain(`spk-sealed:v1:${secretKeyId(newKey)}:`);
    expect(row).not.toContain(`spk-sealed:v1:${secretKeyId(Buffer.from(oldKey, 'base64'))}:`);
    expect((await store.getRegistryAccess()).settings).toEqual(fullSettings);
    expect((await store.getRegistry()).secretKeyId).toBe(secretKeyId(newKey));

    // The key file holds the new key now (still 0600), the previous one beside it.
    expect((await readFile(secretKeyFile(dataDir), 'utf8')).trim()).toBe(newKey.toString('base64'));
    expect((await readFile(`${secretKeyFile(dataDir)}.previous`, 'utf8')).trim()).toBe(oldKey);
    const restarted = storeWith(await keyring());
    expect((await restarted.getRegistryAccess()).settings).toEqual(fullSettings);

    // An instance still holding only the old key cannot open them.
    const stale = storeWith(await keyring(oldKey, await mkdtemp(path.join(tmpdir(), 'spk-stale-'))));
    await expect(stale.getRegistryAccess()).rejects.toMatchObject({ code: 'SECRET_KEY_MISMATCH' });
  });

  it('rotation with SPK_SECRET_KEY writes no file and tells the operator to set the new key on every instance', async () => {
    const keys = await keyring(randomBytes(32).toString('base64'));
    const store = storeWith(keys);
    await store.setRegistry({ url: 'https://registry.example/', token: TOKEN });
    const newKey = randomBytes(32);
    const result = await store.rotateSecretKey(newKey);
    expect(result).toMatchObject({ reencrypted: 1, keyId: secretKeyId(newKey), source: 'env', note: expect.stringMatching(/set SPK_SECRET_KEY to the new key on every instance/) });
    await expect(readFile(secretKeyFile(dataDir))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await storeWith(await keyring(newKey.toString('base64'))).getRegistryAccess()).settings.auth).toEqual({ '//registry.example/': { token: TOKEN } });
  });

  it('refuses a rotation when a secret cannot be opened, changing nothing', async () => {
    await storeWith(await keyring(randomBytes(32).toString('base64'))).replaceRegistrySettings(fullSettings);
    const store = storeWith(await keyring());
    const before = await rawRow();
    const keyFile = await readFile(secretKeyFile(dataDir), 'utf8');
    await expect(store.rotateSecretKey(randomBytes(32))).rejects.toMatchObject({ code: 'SECRET_KEY_MISMATCH' });
    expect(await rawRow()).toEqual(before);
    expect(await readFile(secretKeyFile(dataDir), 'utf8')).toBe(keyFile);
  });

  it('a crash between saving the new key and the commit loses nothing: the next start re-seals with the new key', async () => {
    const keys = await keyring();
    const store = storeWith(keys);
    await store.replaceRegistrySettings(fullSettings);
    const newKey = randomBytes(32);
    await expect(
      keys.rotate(newKey, async (rotation) => {
        await rotation.persist();
        throw new Error('the process died before the commit');
      }),
    ).rejects.toThrow('died');
    // The database still holds values sealed with the old key; the restarted instance has both keys.
    const restarted = storeWith(await keyring());
    expect(await restarted.migrateRegistrySecrets()).toEqual({ sealed: 0, resealed: 4, unopened: 0 });
    expect(JSON.stringify(await rawRow())).toContain(`spk-sealed:v1:${secretKeyId(newKey)}:`);
    expect((await restarted.getRegistryAccess()).settings).toEqual(fullSettings);
  });
});
