// The admin token: from SPK_ADMIN_TOKEN, else generated on first start and kept in the data dir
// with mode 0600 so only the server's user can read it.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_TOKEN_FILE, type Principal } from '@spk/common';

export async function resolveAdminToken(dataDir: string, fromEnv: string | undefined): Promise<{ token: string; generated: boolean; file: string }> {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  if (fromEnv) return { token: fromEnv, generated: false, file };
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token.length >= 16) return { token, generated: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = `spk_${randomBytes(24).toString('base64url')}`;
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'w' });
  await chmod(file, 0o600);
  return { token, generated: true, file };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares digests so neither length nor content leaks through timing. */
export function createAdminAuthenticator(adminToken: string) {
  const expected = digest(adminToken);
  const admin: Principal = { id: 'admin', permissions: ['read', 'manage'] };
  return {
    authenticate: async (token: string): Promise<Principal | null> => (timingSafeEqual(digest(token), expected) ? admin : null),
  };
}
