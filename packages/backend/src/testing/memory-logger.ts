// A real Logger that keeps its lines in memory, with the time each was written, so a test can
// read what an operator would see and when.
import type { Logger } from '../services.ts';

export interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  msg: string | undefined;
  /** performance.now() when the line was written. */
  at: number;
}

export function memoryLogger(lines: LogLine[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void =>
      void lines.push(
        typeof obj === 'string' ? { level, fields: bindings, msg: obj, at: performance.now() } : { level, fields: { ...bindings, ...obj }, msg, at: performance.now() },
      );
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => memoryLogger(lines, { ...bindings, ...more }) };
}
