import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { apiTokens } from '../db/schema.ts';
import { silentLogger, systemClock, type Clock } from '../services.ts';
import { createTokenStore, type TokenStore } from '../stores/token-store.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import { bootstrapAdminTokens } from './admin-token-bootstrap.ts';
import { createTokenAuthenticator } from './token-authenticator.ts';
import { createTokenService } from './token-service.ts';
import { hashToken } from './token-secrets.ts';

const ENV_TOKEN = 'env-token-0123456789abcdef';

describe.each(testDrivers())('database-backed API tokens (%s)', (driver) => {
  let t: TestDatabase;
  let tokens: TokenStore;
  let clock: Clock & { at: Date };
  const service = () => createTokenService({ tokens, clock, logger: silentLogger });
  const auth = () => createTokenAuthenticator({ tokens, clock, logger: silentLogger });
  const bootstrap = (input: { envToken?: string; fileToken?: string | null }, saved: string[] = []) =>
    bootstrapAdminTokens({ tokens, clock }, { envToken: input.envToken, fileToken: input.fileToken ?? null, saveGenerated: async (token) => void saved.push(token) });

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    tokens = createTokenStore(t.database.db);
  });
  // Every test starts from a cluster without tokens.
  beforeEach(async () => {
    await t.database.db.delete(apiTokens);
    clock = { at: new Date('2030-01-01T00:00:00Z'), now: () => clock.at };
  });
  afterAll(() => t?.drop());

  it('generates one admin token for an empty cluster, saves it before storing it, and accepts it', async () => {
    const saved: string[] = [];
    const outcome = await bootstrap({}, saved);
    expect(outcome).toMatchObject({ env: null, file: 'generated' });
    expect(saved).toEqual([outcome.generatedToken]);
    expect(await auth().authenticate(outcome.generatedToken!)).toEqual({ id: 'token:admin', permissions: ['read', 'manage'] });
    // A second start finds the admin token and generates nothing; its file is recognised.
    expect(await bootstrap({ fileToken: outcome.generatedToken! })).toEqual({ env: null, file: 'valid' });
    expect(await bootstrap({})).toEqual({ env: null, file: 'absent' });
    expect((await service().list()).map((x) => x.name)).toEqual(['admin']);
  });

  it('stores SPK_ADMIN_TOKEN once (idempotent) and a different one under the next free name', async () => {
    expect(await bootstrap({ envToken: ENV_TOKEN })).toEqual({ env: { status: 'added', name: 'env' }, file: 'absent' });
    expect(await bootstrap({ envToken: ENV_TOKEN })).toEqual({ env: { status: 'present', name: 'env' }, file: 'absent' });
    const other = 'another-env-token-fedcba987654';
    expect((await bootstrap({ envToken: other })).env).toEqual({ status: 'added', name: 'env-2' });
    expect(await auth().authenticate(ENV_TOKEN)).toMatchObject({ id: 'token:env' });
    expect(await auth().authenticate(other)).toMatchObject({ id: 'token:env-2' });
    expect((await service().list()).map((x) => x.name)).toEqual(['env', 'env-2']);
  });

  it('adopts the token file of a data dir from before tokens were stored, unless it was revoked', async () => {
    const legacy = 'spk_legacy-file-token-0123456789';
    expect(await bootstrap({ fileToken: legacy })).toEqual({ env: null, file: 'imported' });
    expect(await auth().authenticate(legacy)).toMatchObject({ permissions: ['read', 'manage'] });

    await service().create({ name: 'second', readOnly: false });
    await service().revoke('admin');
    // Revoked stays revoked across restarts: the file's token is now "invalid", never re-imported.
    expect(await bootstrap({ fileToken: legacy })).toEqual({ env: null, file: 'invalid' });
    expect(await auth().authenticate(legacy)).toBeNull();
  });

  it('never revives a revoked SPK_ADMIN_TOKEN on restart', async () => {
    await bootstrap({ envToken: ENV_TOKEN });
    await service().create({ name: 'ops', readOnly: false });
    await service().revoke('env');
    expect((await bootstrap({ envToken: ENV_TOKEN })).env).toEqual({ status: 'revoked', name: 'env' });
    expect(await auth().authenticate(ENV_TOKEN)).toBeNull();
  });

  it('creates admin and read-only tokens, lists them without secrets, and revokes at once', async () => {
    await bootstrap({ envToken: ENV_TOKEN });
    const admin = await service().create({ name: 'ci', readOnly: false });
    const reader = await service().create({ name: 'dashboard', readOnly: true });
    expect(reader).toMatchObject({ name: 'dashboard', permissions: ['read'], lastUsedAt: null });
    expect(await auth().authenticate(reader.token)).toEqual({ id: 'token:dashboard', permissions: ['read'] });

    await expect(service().create({ name: 'ci', readOnly: true })).rejects.toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringContaining('"ci"') });

    const listed = JSON.stringify(await service().list());
    for (const secret of [admin.token, reader.token, hashToken(admin.token), hashToken(reader.token), hashToken(ENV_TOKEN)]) {
      expect(listed).not.toContain(secret);
    }
    expect(JSON.parse(listed)).toEqual([
      expect.objectContaining({ name: 'ci', permissions: ['read', 'manage'] }),
      expect.objectContaining({ name: 'dashboard', permissions: ['read'], lastUsedAt: clock.at.toISOString() }),
      expect.objectContaining({ name: 'env' }),
    ]);

    expect(await service().revoke('ci')).toMatchObject({ name: 'ci' });
    expect(await auth().authenticate(admin.token)).toBeNull();
    // The name is free again; the new token is a different one.
    const again = await service().create({ name: 'ci', readOnly: false });
    expect(again.token).not.toBe(admin.token);
    await expect(service().revoke('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses to revoke the last admin token', async () => {
    await bootstrap({ envToken: ENV_TOKEN });
    await service().create({ name: 'viewer', readOnly: true });
    await expect(service().revoke('env')).rejects.toMatchObject({ code: 'LAST_ADMIN_TOKEN', message: expect.stringMatching(/create another admin token first/) });
    expect(await auth().authenticate(ENV_TOKEN)).not.toBeNull();
    await service().revoke('viewer');
  });

  it('records a last use at most once a minute, and refuses short tokens without a lookup', async () => {
    const { generatedToken } = await bootstrap({});
    const first = clock.at;
    await auth().authenticate(generatedToken!);
    clock.at = new Date(first.getTime() + 30_000);
    await auth().authenticate(generatedToken!);
    expect((await service().list())[0]!.lastUsedAt).toBe(first.toISOString());
    clock.at = new Date(first.getTime() + 61_000);
    await auth().authenticate(generatedToken!);
    expect((await service().list())[0]!.lastUsedAt).toBe(clock.at.toISOString());
    expect(await auth().authenticate(generatedToken!.slice(0, 15))).toBeNull();
  });
});

describe.each(testDrivers().filter((d) => d === 'postgres'))('admin token bootstrap across instances (%s)', (driver) => {
  it('generates exactly one admin token when several instances start together on an empty database', async () => {
    const t = await createTestDatabase(driver);
    const others = await Promise.all([1, 2, 3].map(() => openDatabase({ url: t.url!, maxConnections: 2 })));
    try {
      const outcomes = await Promise.all(
        [t.database, ...others].map((database) =>
          bootstrapAdminTokens({ tokens: createTokenStore(database.db), clock: systemClock }, { envToken: undefined, fileToken: null, saveGenerated: async () => undefined }),
        ),
      );
      expect(outcomes.filter((o) => o.file === 'generated')).toHaveLength(1);
      expect(outcomes.filter((o) => o.file === 'absent')).toHaveLength(3);
      expect(await t.database.db.select().from(apiTokens)).toHaveLength(1);
    } finally {
      await Promise.all(others.map((d) => d.close()));
      await t.drop();
    }
  });
});
