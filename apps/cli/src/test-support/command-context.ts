// Stand-ins for what a command is given, so command tests run without a server and read back
// what a user would see (stdout, stderr) and what was sent (each procedure's inputs).
import type { SpkClient } from '../client.ts';
import type { CliIo, CommandContext } from '../commands/context.ts';

export interface CapturedIo extends CliIo {
  out: string[];
  err: string[];
}

/** Keeps what is printed; the rest acts as a non-interactive terminal with nothing to read, unless overridden. */
export function captureIo(overrides: Partial<CliIo> = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    stderrIsTTY: false,
    stdinIsTTY: false,
    readStdin: async () => '',
    readTextFile: async () => '',
    sleep: async () => {},
    ...overrides,
  };
}

/** A procedure of the stand-in client: records each input and answers with `answer(input)`. */
export function recordingProcedure<I, O>(answer: (input: I) => O): ((input: I) => Promise<O>) & { inputs: I[] } {
  const inputs: I[] = [];
  const procedure = async (input: I) => {
    inputs.push(input);
    return answer(input);
  };
  return Object.assign(procedure, { inputs });
}

/** A context whose client has only the procedures a test gives it (`{ hosts: { fsck } }`). */
export function commandContext(client: object, options: { io?: CapturedIo; json?: boolean; serverUrl?: string } = {}) {
  const io = options.io ?? captureIo();
  const ctx: CommandContext = { client: client as SpkClient, serverUrl: options.serverUrl ?? 'http://spk.test:3000', io, json: options.json ?? false };
  return { ctx, io, out: io.out, err: io.err };
}
