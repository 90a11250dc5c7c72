// Carries hooks between core instances with PostgreSQL LISTEN/NOTIFY. Delivery is best effort
// (liveness only): an instance that misses a message still converges from the durable desired
// state on its next poll or start.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { changedPayloadSchema, SATELLITE_REVOKED, satelliteRevokedPayloadSchema, SCRIPT_PACKAGES_CHANGED, type HookId, type HookPayloads } from '@spk/common';
import type { Database } from '../db/database.ts';
import { describeError } from '../errors/driver-error.ts';
import { createHookBus, type HookBus, type Logger } from '../services.ts';

const CHANNEL = 'spk_hooks';
// Every hook travels: a satellite revoked through one instance closes its streams on all of them.
const payloadSchemas: { [K in HookId]: z.ZodType<HookPayloads[K]> } = {
  [SCRIPT_PACKAGES_CHANGED]: changedPayloadSchema,
  [SATELLITE_REVOKED]: satelliteRevokedPayloadSchema,
};

export interface ClusterHookBus extends HookBus {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createClusterHookBus(database: Database, logger: Logger): ClusterHookBus {
  const local = createHookBus();
  const origin = randomUUID();
  let unlisten: (() => Promise<void>) | null = null;

  function deliver(raw: string): void {
    let message: { origin?: unknown; id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return logger.warn({ code: 'BAD_HOOK_MESSAGE' }, 'ignored a hook message that is not JSON');
    }
    if (message.origin === origin || typeof message.id !== 'string' || !(message.id in payloadSchemas)) return;
    const id = message.id as HookId;
    const parsed = payloadSchemas[id].safeParse(message.payload);
    if (!parsed.success) return logger.warn({ code: 'BAD_HOOK_MESSAGE', hook: id }, 'ignored a hook message with an invalid payload');
    local.emit(id, parsed.data);
  }

  return {
    on: local.on,
    emit<K extends HookId>(id: K, payload: HookPayloads[K]) {
      local.emit(id, payload);
      database.pubsub
        ?.notify(CHANNEL, JSON.stringify({ origin, id, payload }))
        .catch((error: unknown) => logger.warn(describeError(error), 'hook broadcast failed; other instances will catch up by polling'));
    },
    async start() {
      if (database.pubsub) unlisten = await database.pubsub.listen(CHANNEL, deliver);
    },
    async stop() {
      await unlisten?.();
      unlisten = null;
    },
  };
}
