import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryConfig } from '../db/schema.ts';
import { systemClock } from '../services.ts';
import { createSettingsStore } from '../stores/settings-store.ts';
import { makeSelfSignedCertificate } from '../testing/self-signed-certificate.ts';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';
import { secretKeyId } from './secret-box.ts';

// registry.importNpmrc / get / set / rotateKey through the router, as the HTTP API calls them:
// what comes back, and what the database row holds, never contains a secret.
const ACME_TOKEN = 'npm_ACMETOKEN_from_env_0042';
const DEFAULT_TOKEN = 'npm_DEFAULTTOKEN_inline_0099';
const PASSWORD = 'PASSWORD_plain_1234';
const SECRETS = [ACME_TOKEN, DEFAULT_TOKEN, PASSWORD, Buffer.from(PASSWORD).toString('base64')];

const NPMRC = [
  'registry=https://registry.example/',
  '@acme:registry=https://npm.acme.example/private/',
  '//npm.acme.example/private/:_authToken=${ACME_TOKEN}',
  '//npm.acme.example/private/:always-auth=true',
  `//registry.example/:_authToken=${DEFAULT_TOKEN}`,
  '//userpass.example/:username=bob',
  `//userpass.example/:_password=${Buffer.from(PASSWORD).toString('base64')}`,
  'strict-ssl=false',
  'noproxy=localhost,.internal.example',
  'color=true',
  '',
].join('\n');

function expectNoSecretIn(text: string) {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe.each(testDrivers())('registry secrets through the API (%s)', (driver) => {
  let t: TestBackend;

  beforeAll(async () => {
    t = await createTestBackend(driver, { npmrcEnv: { ACME_TOKEN } });
  });
  afterAll(() => t?.close());

  it('imports an .npmrc whole: the answer masks every secret, the row holds none, unknown keys are warnings', async () => {
    const result = await t.client.registry.importNpmrc({ npmrc: NPMRC });
    expectNoSecretIn(JSON.stringify(result));
    expect(result.warnings).toEqual([expect.stringMatching(/^color: /)]);
    expect(result.config).toMatchObject({
      registry: 'https://registry.example/',
      hasToken: true,
      scopes: { '@acme': 'https://npm.acme.example/private/' },
      strictSsl: false,
      noproxy: ['localhost', '.internal.example'],
      secretKeyId: t.backend.secretKeys.keyId(),
    });
    expect(result.config.auth['//npm.acme.example/private/']).toEqual({ token: 'set, ends in …0042', auth: null, username: null, password: null, alwaysAuth: true });
    expect(result.config.auth['//userpass.example/']).toMatchObject({ username: 'bob', password: 'set, ends in …1234' });

    const rows = await t.database.db.select().from(registryConfig);
    expect(rows).toHaveLength(1);
    expectNoSecretIn(JSON.stringify(rows));
    expect(rows[0]).toMatchObject({ url: 'https://registry.example/', token: null });
    expectNoSecretIn(JSON.stringify(await t.client.registry.get()));
  });

  it('registry.set changes the default registry and keeps scopes and the other registries\' auth', async () => {
    const config = await t.client.registry.set({ url: 'https://mirror.example/' });
    expect(config).toMatchObject({ registry: 'https://mirror.example/', hasToken: false, scopes: { '@acme': 'https://npm.acme.example/private/' }, strictSsl: false });
    expect(Object.keys(config.auth).sort()).toEqual(['//npm.acme.example/private/', '//registry.example/', '//userpass.example/']);
    // What the installer reads: the old default registry's token is still there, for that registry only.
    const { settings } = await createSettingsStore(t.database.db, systemClock, { storeId: 'postgres' }, { keys: t.backend.secretKeys }).getRegistryAccess();
    expect(settings.auth['//registry.example/']).toEqual({ token: DEFAULT_TOKEN });
    expect(settings.auth['//npm.acme.example/private/']).toEqual({ token: ACME_TOKEN, alwaysAuth: true });
  });

  it('refuses an unusable new key with INVALID_INPUT naming the problem, never echoing the key', async () => {
    for (const [key, problem] of [
      [randomBytes(16).toString('base64'), 'decodes to 16 bytes, not 32'],
      ['not a key at all!', 'is not base64 (only A-Z, a-z, 0-9, "+", "/" and "=" padding may appear)'],
    ] as const) {
      const error = (await t.client.registry.rotateKey({ key }).catch((e: unknown) => e)) as { status: number; message: string; data: { code: string } };
      expect(error).toMatchObject({ status: 400, data: { code: 'INVALID_INPUT' } });
      expect(error.message).toContain(`the new secret key ${problem}: it must be 32 random bytes, base64-encoded`);
      expect(JSON.stringify(error)).not.toContain(key);
    }
  });

  it('rotates the key: every secret re-sealed, the key file replaced, the answer naming the new key id', async () => {
    const key = randomBytes(32);
    const result = await t.client.registry.rotateKey({ key: key.toString('base64') });
    expect(result).toMatchObject({ reencrypted: 3, keyId: secretKeyId(key), source: 'file' });
    expect(JSON.stringify(result)).not.toContain(key.toString('base64'));
    expect((await readFile(path.join(t.dataDir, 'secret-key'), 'utf8')).trim()).toBe(key.toString('base64'));
    const row = JSON.stringify(await t.database.db.select().from(registryConfig));
    expectNoSecretIn(row);
    expect(row.match(/spk-sealed:v1:([0-9a-f]{12}):/g)?.every((prefix) => prefix.includes(secretKeyId(key)))).toBe(true);
    expect((await t.client.registry.get()).secretKeyId).toBe(secretKeyId(key));
  });

  it("refuses ${VAR} outside a credential with 400, never showing the variable's value", async () => {
    const error = (await t.client.registry.importNpmrc({ npmrc: 'registry=https://npm.${ACME_TOKEN}.example/\n' }).catch((e: unknown) => e)) as { status: number; message: string; data: { code: string } };
    expect(error).toMatchObject({ status: 400, data: { code: 'INVALID_INPUT' } });
    expect(error.message).toContain("registry: ${ACME_TOKEN}: only credentials (_authToken, _auth, username, _password) may come from the server's environment");
    expectNoSecretIn(JSON.stringify(error));
    expect((await t.client.registry.get()).registry).not.toContain('npm.');
  });

  it('keeps a cafile of 150 certificates (a system bundle and a company CA) in the row and shows each one', async () => {
    // One certificate 150 times: making 150 with openssl would be slow, and the count is what matters here.
    const { cert } = makeSelfSignedCertificate('spk bundle ca');
    const dir = await mkdtemp(path.join(tmpdir(), 'spk-ca-bundle-'));
    try {
      await writeFile(path.join(dir, 'bundle.pem'), cert.repeat(150));
      const result = await t.client.registry.importNpmrc({ npmrc: `cafile=${path.join(dir, 'bundle.pem')}\n` });
      expect(result.warnings).toEqual([]);
      expect(result.config.ca).toHaveLength(150);
      expect(result.config.ca![149]).toMatchObject({ subject: 'CN=spk bundle ca' });
      expect((await t.client.registry.get()).ca).toHaveLength(150);
      const [row] = await t.database.db.select().from(registryConfig);
      expect((row!.settings as { ca: string[] }).ca).toHaveLength(150);
      const { settings } = await createSettingsStore(t.database.db, systemClock, { storeId: 'postgres' }, { keys: t.backend.secretKeys }).getRegistryAccess();
      expect(settings.ca).toEqual(Array(150).fill(cert));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
