// Bearer token -> principal, from the database every instance shares: API tokens first, then
// satellite tokens, each one primary-key lookup by hash and no cache, so a token created or revoked
// through any instance counts on all of them at once. The last use is recorded at most once a
// minute per token, to keep writes off the hot path.
import { MIN_TOKEN_LENGTH, SATELLITE_PERMISSIONS, type Principal } from '@spk/common';
import { describeError } from '../errors/driver-error.ts';
import type { Authenticator, Clock, Logger } from '../services.ts';
import type { SatelliteRow, SatelliteStore } from '../stores/satellite-store.ts';
import type { TokenRow, TokenStore } from '../stores/token-store.ts';
import { hashToken, sameTokenHash } from './token-secrets.ts';

const LAST_USED_RESOLUTION_MS = 60_000;
/** No token we issue or accept comes near this; a longer header is refused without hashing it. */
const MAX_TOKEN_LENGTH = 4096;

/** One table of hashed tokens: how to find an active row by hash, record its use, and who holds it. */
type HashedRow = { name: string; tokenHash: string; lastUsedAt: Date | null };
interface TokenSource<Row extends HashedRow> {
  kind: string;
  findActive(tokenHash: string): Promise<Row | null>;
  touch(tokenHash: string, at: Date, unlessSince: Date): Promise<void>;
  principal(row: Row): Principal;
}

export interface TokenAuthenticatorDeps {
  tokens: Pick<TokenStore, 'findActive' | 'touch'>;
  /** Without it, only API tokens are accepted. */
  satellites?: Pick<SatelliteStore, 'findActive' | 'touch'>;
  clock: Clock;
  logger: Logger;
}

export function createTokenAuthenticator(deps: TokenAuthenticatorDeps): Authenticator {
  const log = deps.logger.child({ component: 'tokens' });

  const apiTokens: TokenSource<TokenRow> = {
    kind: 'API token',
    findActive: (hash) => deps.tokens.findActive(hash),
    touch: (hash, at, since) => deps.tokens.touch(hash, at, since),
    // 'satellite' belongs to satellite identities alone: a (hand-edited) API token row never grants it.
    principal: (row) => ({ id: `token:${row.name}`, permissions: row.permissions.filter((p) => !SATELLITE_PERMISSIONS.includes(p)) }),
  };
  const satellites = deps.satellites;
  const satelliteTokens: TokenSource<SatelliteRow> | null = satellites
    ? {
        kind: 'satellite token',
        findActive: (hash) => satellites.findActive(hash),
        touch: (hash, at, since) => satellites.touch(hash, at, since),
        principal: (row) => ({ id: `satellite:${row.name}`, permissions: SATELLITE_PERMISSIONS, satellite: row.name }),
      }
    : null;

  async function resolve<Row extends HashedRow>(source: TokenSource<Row>, tokenHash: string): Promise<Principal | null> {
    // The lookup is by the sha256 of the token, so its timing reveals nothing usable about a
    // stored token; the constant-time check then settles the match itself.
    const row = await source.findActive(tokenHash);
    if (!row || !sameTokenHash(row.tokenHash, tokenHash)) return null;
    const now = deps.clock.now();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      // A failed bookkeeping write must not turn a valid token away.
      await source
        .touch(tokenHash, now, new Date(now.getTime() - LAST_USED_RESOLUTION_MS))
        .catch((error: unknown) => log.warn({ name: row.name, ...describeError(error) }, `recording the ${source.kind}'s last use failed`));
    }
    return source.principal(row);
  }

  return {
    async authenticate(token: string): Promise<Principal | null> {
      // Too short to be one of ours: refused without a database round trip.
      if (token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) return null;
      const tokenHash = hashToken(token);
      return (await resolve(apiTokens, tokenHash)) ?? (satelliteTokens ? resolve(satelliteTokens, tokenHash) : null);
    },
  };
}
