// What a command may touch: the typed client and a few I/O functions, passed in so commands
// run in tests against a stand-in client and in the bin against the real process.
import type { SpkClient } from '../client.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
  readStdin(): Promise<string>;
  readTextFile(filePath: string): Promise<string>;
  sleep(ms: number): Promise<void>;
}

export interface CommandContext {
  client: SpkClient;
  /** The server the client talks to, for hints that name it (`spk-agent --server <url>`). */
  serverUrl: string;
  io: CliIo;
  json: boolean;
}

export function printJson(io: Pick<CliIo, 'stdout'>, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** `--json` prints the procedure's raw output; otherwise the human text. */
export function printResult(ctx: CommandContext, value: unknown, human: string): void {
  if (ctx.json) printJson(ctx.io, value);
  else ctx.io.stdout(`${human}\n`);
}

/**
 * A secret shown this once: alone on stdout, so `TOKEN=$(spk … create x)` captures it, with the note
 * saying what it is on stderr; under `--json`, `record` (which holds it) instead.
 */
export function printSecretOnce(ctx: CommandContext, secret: { value: string; note: string; record: unknown }): void {
  if (ctx.json) return printJson(ctx.io, secret.record);
  ctx.io.stderr(secret.note);
  ctx.io.stdout(`${secret.value}\n`);
}
