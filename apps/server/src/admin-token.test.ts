import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminTokenBanner, readAdminTokenFile, writeAdminTokenFile } from './admin-token.ts';
import { loadConfig } from './config.ts';

const FILE = '/data/admin-token';

describe('the start banner about admin tokens', () => {
  it('shows a generated token once, with the file it was saved to', () => {
    const banner = adminTokenBanner({ env: null, file: 'generated', generatedToken: 'spk_abc' }, FILE);
    expect(banner).toEqual({ lines: ['Admin token (shown once, also saved to /data/admin-token): spk_abc'], warnings: [] });
  });

  it('tells an instance without a token file where the shared tokens come from', () => {
    const { lines } = adminTokenBanner({ env: null, file: 'absent' }, FILE);
    expect(lines).toEqual([
      'Admin token: none in /data/admin-token. Tokens are shared by every instance through the database: use the token the first instance ' +
        'printed and saved to its own <data dir>/admin-token, create one there with `spk tokens create <name>`, or set SPK_ADMIN_TOKEN',
    ]);
  });

  it('names the stored SPK_ADMIN_TOKEN and warns about a revoked one or a stale file, never printing a token', () => {
    expect(adminTokenBanner({ env: { status: 'added', name: 'env' }, file: 'absent' }, FILE).lines).toEqual([
      'Admin token: from SPK_ADMIN_TOKEN (stored for every instance as "env")',
    ]);
    const revoked = adminTokenBanner({ env: { status: 'revoked', name: 'env-2' }, file: 'invalid' }, FILE);
    expect(revoked.lines).toEqual([]);
    expect(revoked.warnings).toEqual([
      'SPK_ADMIN_TOKEN holds the revoked token "env-2", so it is not accepted; unset it, or set it to a new token',
      '/data/admin-token holds a token this cluster does not accept (revoked, or from another database); use a token from `spk tokens list`/`spk tokens create`, or set SPK_ADMIN_TOKEN',
    ]);
  });
});

describe('the admin token file', () => {
  it('is written whole with mode 0600 and read back trimmed; a missing or empty file reads as null', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spk-token-file-'));
    try {
      const file = path.join(dir, 'admin-token');
      expect(await readAdminTokenFile(file)).toBeNull();
      await writeAdminTokenFile(file, 'spk_secret_value_0123');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await readFile(file, 'utf8')).toBe('spk_secret_value_0123\n');
      expect(await readAdminTokenFile(file)).toBe('spk_secret_value_0123');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the filesystem blob store directory', () => {
  it('is <data dir>/blobs by default and SPK_BLOB_DIR, made absolute, when set', () => {
    expect(loadConfig({ SPK_DATA_DIR: '/var/lib/spk' }).blobDir).toBe('/var/lib/spk/blobs');
    expect(loadConfig({ SPK_DATA_DIR: '/var/lib/spk', SPK_BLOB_DIR: '' }).blobDir).toBe('/var/lib/spk/blobs');
    expect(loadConfig({ SPK_BLOB_DIR: 'shared/blobs' }).blobDir).toBe(path.resolve('shared/blobs'));
  });
});
