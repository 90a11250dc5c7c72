// The agent's log: one JSON object per line on stdout ({level, time, msg, ...fields}), what a
// journald or container log collector expects. Every line is scrubbed of the secrets it was
// given (the satellite token), whatever a library put into an error message.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AgentLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  write: (line: string) => void;
  level?: LogLevel;
  /** Strings replaced by "[redacted]" wherever they appear in a line. */
  secrets?: readonly string[];
  now?: () => Date;
}

export function createJsonLogger(options: JsonLoggerOptions): AgentLogger {
  const threshold = ORDER[options.level ?? 'info'];
  const secrets = (options.secrets ?? []).filter((secret) => secret.length > 0);
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold) return;
    let line = JSON.stringify({ level, time: now().toISOString(), msg, ...fields });
    for (const secret of secrets) line = line.split(secret).join('[redacted]');
    options.write(`${line}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}
