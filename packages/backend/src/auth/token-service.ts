// The tokens.* procedures: create (the only answer that ever holds a token), list (never a token
// or a hash), and revoke (at once on every instance, since each request reads the table).
import { ADMIN_PERMISSIONS, READ_ONLY_PERMISSIONS, SpkError, type CreatedToken, type TokenInfo } from '@spk/common';
import type { Clock, Logger } from '../services.ts';
import type { TokenRow, TokenStore } from '../stores/token-store.ts';
import { generateToken, hashToken } from './token-secrets.ts';

function tokenInfo(row: TokenRow): TokenInfo {
  return {
    name: row.name,
    permissions: [...row.permissions],
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
  };
}

export function createTokenService(deps: { tokens: TokenStore; clock: Clock; logger: Logger }) {
  const log = deps.logger.child({ component: 'tokens' });
  return {
    async create(input: { name: string; readOnly: boolean }): Promise<CreatedToken> {
      const token = generateToken();
      const permissions = input.readOnly ? READ_ONLY_PERMISSIONS : ADMIN_PERMISSIONS;
      const row = await deps.tokens.insert({ name: input.name, tokenHash: hashToken(token), permissions, at: deps.clock.now() });
      if (!row) {
        throw new SpkError('ALREADY_EXISTS', `a token named "${input.name}" already exists; choose another name, or revoke that token first`, { name: input.name });
      }
      log.info({ name: row.name, permissions: row.permissions }, 'API token created');
      return { ...tokenInfo(row), token };
    },

    async list(): Promise<TokenInfo[]> {
      return (await deps.tokens.listActive()).map(tokenInfo);
    },

    async revoke(name: string): Promise<TokenInfo> {
      const revoked = await deps.tokens.locked(async (tokens) => {
        const active = await tokens.listActive();
        const target = active.find((t) => t.name === name);
        if (!target) {
          const names = active.map((t) => t.name).join(', ');
          throw new SpkError('NOT_FOUND', `no active token is named "${name}"; the active tokens are: ${names || '(none)'}`, { name });
        }
        const otherAdmins = active.filter((t) => t !== target && t.permissions.includes('manage'));
        if (target.permissions.includes('manage') && otherAdmins.length === 0) {
          throw new SpkError(
            'LAST_ADMIN_TOKEN',
            `"${name}" is the last admin token: revoking it would leave nobody able to manage the cluster; create another admin token first, then revoke this one`,
            { name },
          );
        }
        return tokens.markRevoked(name, deps.clock.now());
      });
      // Locked above, so the row cannot have gone in between.
      log.info({ name }, 'API token revoked');
      return tokenInfo(revoked!);
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
