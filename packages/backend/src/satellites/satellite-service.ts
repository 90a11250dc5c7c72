// The satellites.* procedures: create (the only answer that ever holds a satellite token), list
// (never a token or a hash), and revoke, which every instance honours at once (each request reads
// the table) and which closes the satellite's open watch streams through the SATELLITE_REVOKED hook.
import { SATELLITE_REVOKED, SpkError, type CreatedSatellite, type SatelliteInfo } from '@spk/common';
import { generateToken, hashToken, SATELLITE_TOKEN_PREFIX } from '../auth/token-secrets.ts';
import type { Clock, HookBus, Logger } from '../services.ts';
import type { SatelliteRow, SatelliteStore } from '../stores/satellite-store.ts';

function satelliteInfo(row: SatelliteRow): SatelliteInfo {
  return { name: row.name, createdAt: row.createdAt.toISOString(), lastSeenAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null };
}

export function createSatelliteService(deps: { satellites: SatelliteStore; hooks: HookBus; clock: Clock; logger: Logger }) {
  const log = deps.logger.child({ component: 'satellites' });
  return {
    async create(name: string): Promise<CreatedSatellite> {
      const token = generateToken(SATELLITE_TOKEN_PREFIX);
      const row = await deps.satellites.insert({ name, tokenHash: hashToken(token), at: deps.clock.now() });
      if (!row) {
        throw new SpkError('ALREADY_EXISTS', `a satellite named "${name}" already exists; choose another name, or revoke that satellite first`, { name });
      }
      log.info({ name }, 'satellite created');
      return { ...satelliteInfo(row), token };
    },

    async list(): Promise<SatelliteInfo[]> {
      return (await deps.satellites.listActive()).map(satelliteInfo);
    },

    async revoke(name: string): Promise<SatelliteInfo> {
      const row = await deps.satellites.markRevoked(name, deps.clock.now());
      if (!row) {
        throw new SpkError('NOT_FOUND', `no active satellite is named "${name}"; "spk satellites list" shows the active ones`, { name });
      }
      log.info({ name }, 'satellite revoked');
      // After the commit: an instance that hears it and re-reads the table finds the row revoked.
      deps.hooks.emit(SATELLITE_REVOKED, { name });
      return satelliteInfo(row);
    },
  };
}

export type SatelliteService = ReturnType<typeof createSatelliteService>;
