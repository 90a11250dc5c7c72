// The data-dir side of admin tokens: <data dir>/admin-token (mode 0600), which the CLI reads by
// default, and the start banner's words about it. The tokens themselves live in the database
// (see @spk/backend's bootstrap); this file only ever holds a token generated or adopted here.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_TOKEN_FILE } from '@spk/common';
import type { AdminTokenBootstrap } from '@spk/backend';
import { readFileIfPresent } from '@spk/reconciler';

export const adminTokenFile = (dataDir: string) => path.join(dataDir, ADMIN_TOKEN_FILE);

/** The trimmed token in the file, or null when the file is missing or empty. */
export async function readAdminTokenFile(file: string): Promise<string | null> {
  return (await readFileIfPresent(file))?.trim() || null;
}

/** Written whole or not at all (temp file, then rename), readable by the server's user alone. */
export async function writeAdminTokenFile(file: string, token: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${token}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** What the start banner says about tokens. Holds a token only when it was generated just now. */
export function adminTokenBanner(outcome: AdminTokenBootstrap, file: string): { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const { env } = outcome;
  if (env?.status === 'revoked') {
    warnings.push(`SPK_ADMIN_TOKEN holds the revoked token "${env.name}", so it is not accepted; unset it, or set it to a new token`);
  } else if (env) {
    lines.push(`Admin token: from SPK_ADMIN_TOKEN (stored for every instance as "${env.name}")`);
  }
  switch (outcome.file) {
    case 'generated':
      lines.push(`Admin token (shown once, also saved to ${file}): ${outcome.generatedToken}`);
      break;
    case 'imported':
      lines.push(`Admin token: in ${file} (now stored for every instance as an admin token)`);
      break;
    case 'valid':
      lines.push(`Admin token: in ${file}`);
      break;
    case 'invalid':
      warnings.push(
        `${file} holds a token this cluster does not accept (revoked, or from another database); ` +
          'use a token from `spk tokens list`/`spk tokens create`, or set SPK_ADMIN_TOKEN',
      );
      break;
    case 'absent':
      if (!env) {
        lines.push(
          `Admin token: none in ${file}. Tokens are shared by every instance through the database: use the token the first instance ` +
            'printed and saved to its own <data dir>/admin-token, create one there with `spk tokens create <name>`, or set SPK_ADMIN_TOKEN',
        );
      }
      break;
  }
  return { lines, warnings };
}
