// Bearer token -> principal, from the database every instance shares: one primary-key lookup per
// request and no cache, so a token created or revoked through any instance counts on all of them
// at once. The last use is recorded at most once a minute per token, to keep writes off the hot path.
import { MIN_TOKEN_LENGTH, type Principal } from '@spk/common';
import { describeError } from '../errors/driver-error.ts';
import type { Authenticator, Clock, Logger } from '../services.ts';
import type { TokenStore } from '../stores/token-store.ts';
import { hashToken, sameTokenHash } from './token-secrets.ts';

const LAST_USED_RESOLUTION_MS = 60_000;
/** No token we issue or accept comes near this; a longer header is refused without hashing it. */
const MAX_TOKEN_LENGTH = 4096;

export function createTokenAuthenticator(deps: { tokens: Pick<TokenStore, 'findActive' | 'touch'>; clock: Clock; logger: Logger }): Authenticator {
  const log = deps.logger.child({ component: 'tokens' });
  return {
    async authenticate(token: string): Promise<Principal | null> {
      // Too short to be one of ours: refused without a database round trip.
      if (token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) return null;
      const tokenHash = hashToken(token);
      // The lookup is by the sha256 of the token, so its timing reveals nothing usable about a
      // stored token; the constant-time check then settles the match itself.
      const row = await deps.tokens.findActive(tokenHash);
      if (!row || !sameTokenHash(row.tokenHash, tokenHash)) return null;
      const now = deps.clock.now();
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
        // A failed bookkeeping write must not turn a valid token away.
        await deps.tokens
          .touch(tokenHash, now, new Date(now.getTime() - LAST_USED_RESOLUTION_MS))
          .catch((error: unknown) => log.warn({ name: row.name, ...describeError(error) }, 'recording the token\'s last use failed'));
      }
      return { id: `token:${row.name}`, permissions: row.permissions };
    },
  };
}
