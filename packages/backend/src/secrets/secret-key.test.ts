import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { secretKeyId } from './secret-box.ts';
import { loadSecretKey, parseSecretKey, saveSecretKeyFile, secretKeyFile } from './secret-key.ts';

const posix = process.platform !== 'win32';

describe('parseSecretKey', () => {
  it('takes base64 (or base64url) of exactly 32 bytes, surrounding whitespace ignored', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(`${key.toString('base64')}\n`)).toEqual({ key });
    expect(parseSecretKey(key.toString('base64url'))).toEqual({ key });
  });

  it('says what is wrong without quoting the value', () => {
    const short = randomBytes(16).toString('base64');
    expect(parseSecretKey(short)).toEqual({ problem: 'decodes to 16 bytes, not 32' });
    expect(parseSecretKey('  ')).toEqual({ problem: 'is empty' });
    const notBase64 = parseSecretKey('this is not base64!');
    expect(notBase64).toEqual({ problem: expect.stringMatching(/^is not base64/) });
    expect(JSON.stringify(notBase64)).not.toContain('this is not');
  });
});

describe('loadSecretKey', () => {
  let dataDir: string;
  let lines: LogLine[];
  const load = (envValue?: string) => loadSecretKey({ envValue, dataDir, logger: memoryLogger(lines) });

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'spk-secret-key-'));
    lines = [];
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('refuses an invalid SPK_SECRET_KEY at start, saying how to make one and never echoing it', async () => {
    const value = randomBytes(20).toString('base64');
    const error = await load(value).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((error as Error).message).toMatch(/^SPK_SECRET_KEY decodes to 20 bytes, not 32: it must be 32 random bytes, base64-encoded/);
    expect((error as Error).message).toContain('openssl rand -base64 32');
    expect((error as Error).message).toContain(`node -e "console.log(crypto.randomBytes(32).toString('base64'))"`);
    expect((error as Error).message).not.toContain(value);
    // Nothing was generated in its place.
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('uses SPK_SECRET_KEY when set, and writes no file', async () => {
    const key = randomBytes(32);
    const loaded = await load(key.toString('base64'));
    expect(loaded).toMatchObject({ key, keyId: secretKeyId(key), source: 'env', generated: false, olderKeys: [] });
    expect(await readdir(dataDir)).toEqual([]);
  });

  it.runIf(posix)('generates <data dir>/secret-key with mode 0600 on first start, logs where (never the key), and reuses it', async () => {
    const first = await load();
    expect(first).toMatchObject({ source: 'file', generated: true, file: secretKeyFile(dataDir) });
    const file = secretKeyFile(dataDir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toEqual(first.key);
    expect(lines).toEqual([expect.objectContaining({ level: 'info', fields: { file, keyId: first.keyId }, msg: expect.stringMatching(/^generated the secret key/) })]);
    expect(JSON.stringify(lines)).not.toContain(first.key.toString('base64'));
    // No temp file is left behind.
    expect(await readdir(dataDir)).toEqual(['secret-key']);

    const second = await load();
    expect(second).toMatchObject({ key: first.key, source: 'file', generated: false });
  });

  it.runIf(posix)('refuses a key file other users may read, saying how to fix it', async () => {
    const file = secretKeyFile(dataDir);
    await saveSecretKeyFile(file, randomBytes(32));
    await chmod(file, 0o644);
    const error = await load().catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'DATA_DIR_UNUSABLE' });
    expect((error as Error).message).toBe(
      `${file} may be read or changed by other users (mode 0644): the secret key must be the server user's alone; run \`chmod 600 ${file}\` and start again`,
    );
  });

  it('refuses a key file without a key rather than replacing it', async () => {
    const file = secretKeyFile(dataDir);
    await writeFile(file, 'garbage\n', { mode: 0o600 });
    await expect(load()).rejects.toThrow(/does not hold a secret key \(its content decodes to 5 bytes, not 32\); restore it from a backup/);
    expect(await readFile(file, 'utf8')).toBe('garbage\n');
  });

  it('keeps the key file of a data dir as an older key once SPK_SECRET_KEY is set, so its values can be re-sealed', async () => {
    const fileKey = (await load()).key;
    const envKey = randomBytes(32);
    const loaded = await load(envKey.toString('base64'));
    expect(loaded).toMatchObject({ key: envKey, source: 'env' });
    expect(loaded.olderKeys).toEqual([fileKey]);
  });
});
