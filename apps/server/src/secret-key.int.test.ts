import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@spk/backend';
import { spawnServer, type SpawnedServer } from '@spk/tools';

// The server's secret key from start to stop: generated into the data dir when SPK_SECRET_KEY is
// unset, a legacy plaintext token sealed on start, and refusals that stop the start with advice.
const LEGACY_TOKEN = 'npm_LEGACYTOKEN_plaintext_4711';

/** Runs one statement on the data dir's embedded database while no server has it open. */
async function query(dataDir: string, text: string, params: unknown[] = []): Promise<unknown[]> {
  const database = await openDatabase({ dataDir });
  const session = await database.openSession();
  try {
    await database.migrate();
    return await session.query(text, params);
  } finally {
    await session.release();
    await database.close();
  }
}

describe('a server upgraded from a plaintext registry token', () => {
  let dataDir: string;
  let server: SpawnedServer;
  const api = (p: string) => fetch(`${server.url}/api${p}`, { headers: { authorization: `Bearer ${server.token}` } });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spk-secret-key-'));
    // The database as an older server left it: the token in the clear in its own column.
    await query(dataDir, `insert into registry_config (id, url, token) values (1, 'http://127.0.0.1:9/legacy/', $1)`, [LEGACY_TOKEN]);
    server = await spawnServer({ dataDir, env: { LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('generates <data dir>/secret-key (0600) and logs where, never the key', async () => {
    const file = path.join(dataDir, 'secret-key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const key = (await readFile(file, 'utf8')).trim();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(server.output()).toContain('generated the secret key that seals the registry secrets');
    expect(server.output()).toContain(file);
    expect(server.output()).not.toContain(key);
  });

  it('seals the legacy token on start and still uses it, showing it masked; nothing captured holds it', async () => {
    const body = await (await api('/registry')).text();
    expect(JSON.parse(body)).toMatchObject({
      registry: 'http://127.0.0.1:9/legacy/',
      hasToken: true,
      auth: { '//127.0.0.1:9/legacy/': { token: 'set, ends in …4711' } },
    });
    expect(body).not.toContain(LEGACY_TOKEN);
    expect(server.output()).not.toContain(LEGACY_TOKEN);

    await server.stop();
    const row = JSON.stringify(await query(dataDir, 'select * from registry_config'));
    expect(row).toContain('spk-sealed:v1:');
    expect(row).not.toContain(LEGACY_TOKEN);
    expect(row).not.toContain(Buffer.from(LEGACY_TOKEN).toString('base64'));
  });
});

describe('a server refusing its secret key', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spk-secret-key-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('does not start with an SPK_SECRET_KEY that is not 32 bytes, saying how to make one without quoting it', async () => {
    const value = randomBytes(24).toString('base64');
    const error = (await spawnServer({ dataDir, env: { SPK_SECRET_KEY: value } }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('SPK_SECRET_KEY: decodes to 24 bytes, not 32: it must be 32 random bytes, base64-encoded; make one with `openssl rand -base64 32`');
    expect(error.message).not.toContain(value);
  });

  it('does not start with a key file other users may read', async () => {
    const first = await spawnServer({ dataDir });
    await first.stop();
    const file = path.join(dataDir, 'secret-key');
    await chmod(file, 0o644);
    const error = (await spawnServer({ dataDir }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(`${file} may be read or changed by other users (mode 0644): the secret key must be the server user's alone; run \`chmod 600 ${file}\``);
  });
});
