// At start, under the tokens lock (so instances starting together take turns): SPK_ADMIN_TOKEN is
// added if its hash is not stored yet, and a cluster without any active admin token gets one,
// taken from <data dir>/admin-token when that holds an unknown token (an upgrade), else generated.
import { ADMIN_PERMISSIONS, MIN_TOKEN_LENGTH } from '@spk/common';
import type { Clock } from '../services.ts';
import type { TokenQueries, TokenStore } from '../stores/token-store.ts';
import { generateToken, hashToken } from './token-secrets.ts';

export interface AdminTokenBootstrapInput {
  /** SPK_ADMIN_TOKEN, when set. */
  envToken: string | undefined;
  /** The trimmed contents of <data dir>/admin-token, or null when it is missing. */
  fileToken: string | null;
  /**
   * Keeps a generated token where the operator finds it. Called before the token is committed:
   * should the process die in between, the next start finds it in the file and stores it then.
   */
  saveGenerated(token: string): Promise<void>;
}

export interface AdminTokenBootstrap {
  /** What became of SPK_ADMIN_TOKEN: stored now, already stored, or refused because it was revoked. */
  env: { status: 'added' | 'present' | 'revoked'; name: string } | null;
  /** The token file: its token generated now, imported now, already valid, not valid, or missing. */
  file: 'generated' | 'imported' | 'valid' | 'invalid' | 'absent';
  /** Set only when `file` is "generated": the start banner shows it once. */
  generatedToken?: string;
}

/** Inserts under the first free name of base, base-2, base-3, ... (an active token may hold the name). */
async function insertNamed(tokens: TokenQueries, base: string, tokenHash: string, at: Date): Promise<string> {
  for (let n = 1; n <= 1000; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (await tokens.insert({ name, tokenHash, permissions: ADMIN_PERMISSIONS, at })) return name;
  }
  throw new Error(`no free token name of the form ${base}-<n>; revoke unused tokens`);
}

export function bootstrapAdminTokens(deps: { tokens: TokenStore; clock: Clock }, input: AdminTokenBootstrapInput): Promise<AdminTokenBootstrap> {
  const fileToken = input.fileToken && input.fileToken.length >= MIN_TOKEN_LENGTH ? input.fileToken : null;
  return deps.tokens.locked(async (tokens) => {
    const at = deps.clock.now();
    let env: AdminTokenBootstrap['env'] = null;
    if (input.envToken) {
      const tokenHash = hashToken(input.envToken);
      const row = await tokens.findAny(tokenHash);
      // A revoked token stays revoked: a restart with the same environment must not revive it.
      if (row) env = { status: row.revoked ? 'revoked' : 'present', name: row.name };
      else env = { status: 'added', name: await insertNamed(tokens, 'env', tokenHash, at) };
    }

    const hasAdmin = (await tokens.listActive()).some((t) => t.permissions.includes('manage'));
    if (hasAdmin) {
      if (!fileToken) return { env, file: 'absent' };
      return { env, file: (await tokens.findActive(hashToken(fileToken))) ? 'valid' : 'invalid' };
    }
    // Nobody could manage the cluster: the token file's token (a data dir from before tokens were
    // stored) is adopted unless it was revoked; otherwise a new one is generated.
    if (fileToken && !(await tokens.findAny(hashToken(fileToken)))) {
      await insertNamed(tokens, 'admin', hashToken(fileToken), at);
      return { env, file: 'imported' };
    }
    const token = generateToken();
    await input.saveGenerated(token);
    await insertNamed(tokens, 'admin', hashToken(token), at);
    return { env, file: 'generated', generatedToken: token };
  });
}
