// Last resort: an uncaught exception or unhandled rejection is logged with its cause (code, message,
// stack frames; never SQL text or parameters) before the process exits, so a crash is diagnosable
// from the server log instead of whatever Node prints to stderr.
import type { ErrorFields, Logger } from '@spk/backend';

const MAX_FRAMES = 20;

/** The stack's frames only: its first line repeats the message, which may be a query wrapper's SQL. */
function framesOf(error: unknown): string | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  const frames = (stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).slice(0, MAX_FRAMES);
  return frames.length > 0 ? frames.map((f) => f.trim()).join('\n') : undefined;
}

/** `describe` is the backend's `describeError`, passed in so this module loads nothing but itself. */
export function installProcessHandlers(
  logger: Logger,
  describe: (error: unknown) => ErrorFields,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  let exiting = false;
  const fatal = (event: 'uncaughtException' | 'unhandledRejection', error: unknown) => {
    if (exiting) return;
    exiting = true;
    try {
      logger.error({ event, ...describe(error), stack: framesOf(error) }, `${event}: the server is exiting`);
    } finally {
      exit(1);
    }
  };
  process.on('uncaughtException', (error) => fatal('uncaughtException', error));
  process.on('unhandledRejection', (reason) => fatal('unhandledRejection', reason));
}
