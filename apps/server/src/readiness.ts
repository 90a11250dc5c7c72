// `/readyz`: whether this instance can serve now (a load balancer's question), unlike `/healthz`,
// which only says the process is alive. It checks the database answers and, on PGlite, that this
// process still holds the data-dir lock (without it a second server may be writing the same files).
import { describeError, withTimeout, type Logger } from '@spk/backend';

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface ReadinessDeps {
  ping(): Promise<void>;
  /** Absent when no lock guards the database files (PostgreSQL). */
  lockHeld?: () => Promise<boolean>;
  logger: Logger;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 3_000;

export function createReadinessCheck(deps: ReadinessDeps) {
  // Only changes are logged: a load balancer polls this every few seconds.
  let wasReady = true;

  async function probe(): Promise<Readiness> {
    if (deps.lockHeld && !(await deps.lockHeld().catch(() => false))) {
      const reason = 'this server no longer holds the data-dir lock (server.lock was removed or replaced); stop it and start it again';
      if (wasReady) deps.logger.error({ code: 'DATA_DIR_LOCKED' }, reason);
      return { ready: false, reason };
    }
    try {
      const ms = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      await withTimeout(deps.ping(), ms, `no answer within ${ms} ms`);
      return { ready: true };
    } catch (error) {
      const fields = describeError(error);
      if (wasReady) deps.logger.error(fields, 'the database does not answer; /readyz answers 503');
      // /readyz needs no token: the reason carries the code only, the message stays in the log.
      return { ready: false, reason: `database unavailable (${fields.code}); the server log has the details` };
    }
  }

  return {
    async check(): Promise<Readiness> {
      const result = await probe();
      if (result.ready && !wasReady) deps.logger.info('ready again');
      wasReady = result.ready;
      return result;
    },
  };
}
