// Structured logs. Anything that could hold a secret is redacted before it is written.
import pino from 'pino';
import type { Logger } from '@spk/backend';

export function createLogger(level: string): Logger & pino.Logger {
  return pino({
    level,
    base: { service: 'script-packages' },
    redact: {
      paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', '*._authToken'],
      censor: '[redacted]',
    },
  });
}
