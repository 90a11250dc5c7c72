// A script run on a host: the source goes in, the default export's value and output come back.
import { z } from 'zod';
import { lockfileHashSchema } from './manifest.ts';
import { stateErrorSchema } from './install-state.ts';

export const DEFAULT_RUN_TIMEOUT_MS = 30_000;
export const MAX_RUN_TIMEOUT_MS = 10 * 60_000;
export const MAX_SCRIPT_BYTES = 1024 * 1024;

export const runScriptInputSchema = z.strictObject({
  /** Decides the module system: `.mjs` is ESM, `.cjs` is CommonJS, `.js` is detected from its syntax. */
  filename: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}\.(mjs|cjs|js)$/, 'the script file name must end in .mjs, .cjs or .js and contain no path'),
  source: z.string().max(MAX_SCRIPT_BYTES, `a script has at most ${MAX_SCRIPT_BYTES} bytes`),
  timeoutMs: z.number().int().positive().max(MAX_RUN_TIMEOUT_MS).default(DEFAULT_RUN_TIMEOUT_MS),
});
export type RunScriptInput = z.input<typeof runScriptInputSchema>;

export const runResultSchema = z.object({
  runId: z.string(),
  lockfileHash: lockfileHashSchema,
  ok: z.boolean(),
  /** The default export's value (awaited), as JSON; undefined values come back as null. */
  result: z.unknown(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number().nonnegative(),
  error: stateErrorSchema.nullable(),
});
export type RunResult = z.infer<typeof runResultSchema>;
