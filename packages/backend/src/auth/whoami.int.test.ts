// tokens.whoami through the backend's own authenticator: the real token names (the generated
// admin token, SPK_ADMIN_TOKEN's), permissions without 'satellite', and readOnly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';
import { testDrivers } from '../testing/test-database.ts';

const ENV_TOKEN = 'whoami-env-token-0123456789abcdef';

describe.each(testDrivers())('tokens.whoami (%s)', (driver) => {
  let t: TestBackend;
  let generated: string;
  beforeAll(async () => {
    t = await createTestBackend(driver, { realTokens: true });
    const saveGenerated = async () => undefined;
    // A first start without SPK_ADMIN_TOKEN generates "admin"; a later one with it stores it as "env".
    generated = (await t.backend.bootstrapAdminTokens({ envToken: undefined, fileToken: null, saveGenerated })).generatedToken!;
    expect((await t.backend.bootstrapAdminTokens({ envToken: ENV_TOKEN, fileToken: null, saveGenerated })).env).toEqual({ status: 'added', name: 'env' });
  });
  afterAll(() => t?.close());

  it('names the SPK_ADMIN_TOKEN principal by its stored token name, with admin permissions', async () => {
    const client = await t.clientFor(ENV_TOKEN);
    expect(await client.tokens.whoami()).toEqual({ name: 'env', permissions: ['read', 'manage'], readOnly: false });
    // The name is the one tokens.list shows for it.
    expect((await client.tokens.list()).tokens.map((x) => x.name)).toContain('env');
  });

  it('names the generated bootstrap admin token "admin"', async () => {
    expect(await (await t.clientFor(generated)).tokens.whoami()).toEqual({ name: 'admin', permissions: ['read', 'manage'], readOnly: false });
  });

  it('says a read-only token is read-only', async () => {
    const admin = await t.clientFor(ENV_TOKEN);
    const created = await admin.tokens.create({ name: 'viewer', readOnly: true });
    expect(await (await t.clientFor(created.token)).tokens.whoami()).toEqual({ name: 'viewer', permissions: ['read'], readOnly: true });
  });

  it('refuses a satellite token, which may not read', async () => {
    const admin = await t.clientFor(ENV_TOKEN);
    const satellite = await admin.satellites.create({ name: 'whoami-sat' });
    const client = await t.clientFor(satellite.token);
    await expect(client.tokens.whoami()).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });
});
