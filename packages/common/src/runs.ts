// A script run on a host: the source goes in, the default export's value and output come back.
import * as z from 'zod';
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
  /**
   * Whether the script exported a value. False when it has no default export, exports undefined,
   * or (CommonJS) leaves module.exports empty; `result` is then null, which is not the same as a
   * script that exports null.
   */
  hasResult: z.boolean(),
  /** The default export's value (awaited), as JSON; null when there is none (see hasResult). */
  result: z.unknown(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number().nonnegative(),
  error: stateErrorSchema.nullable(),
});
export type RunResult = z.infer<typeof runResultSchema>;

/**
 * What a host allows a script run. Every limit has a default and an environment variable that
 * raises it; messages about a limit name that variable, so servers and agents share the names.
 */
export interface ScriptRunLimits {
  /** Largest JSON result, in bytes, a run may return. */
  maxResultBytes: number;
  /** Per stream: stdout and stderr beyond this are cut, with a marker. */
  maxOutputBytes: number;
  /** The run's V8 heap (`--max-old-space-size`), in MiB. */
  maxHeapMb: number;
  /** Longest timeoutMs a caller may ask for. */
  maxTimeoutMs: number;
  /** Runs at once on this instance; more are refused with TOO_MANY_RUNS. */
  maxConcurrent: number;
}

export const DEFAULT_RUN_LIMITS: ScriptRunLimits = {
  maxResultBytes: 1024 * 1024,
  maxOutputBytes: 1024 * 1024,
  maxHeapMb: 256,
  maxTimeoutMs: MAX_RUN_TIMEOUT_MS,
  maxConcurrent: 4,
};

export const RUN_SETTING_ENV = {
  maxResultBytes: 'SPK_RUN_MAX_RESULT_BYTES',
  maxOutputBytes: 'SPK_RUN_MAX_OUTPUT_BYTES',
  maxHeapMb: 'SPK_RUN_MAX_HEAP_MB',
  maxTimeoutMs: 'SPK_RUN_MAX_TIMEOUT_MS',
  maxConcurrent: 'SPK_RUN_MAX_CONCURRENT',
  allowChildProcess: 'SPK_RUN_ALLOW_CHILD_PROCESS',
  allowWorker: 'SPK_RUN_ALLOW_WORKER',
  allowFsRead: 'SPK_RUN_ALLOW_FS_READ',
  runAsUser: 'SPK_RUN_AS_USER',
} as const;

/** A process named so that pid reuse cannot fool a check: pid, start time (clock ticks after boot), boot id. */
export const processIdentitySchema = z.object({
  pid: z.number().int().positive(),
  startTime: z.number().int().nonnegative().nullable(),
  bootId: z.string().nullable(),
});

/** `.runs/<runId>/pin.json` on a host: which server process owns the run, and the run's child. */
export const runPinRecordSchema = z.object({
  runId: z.string(),
  lockfileHash: lockfileHashSchema,
  owner: processIdentitySchema,
  child: processIdentitySchema.nullable(),
  /** When the run was pinned (ms since the epoch): a pin older than the longest run timeout is stale. Absent in pins of older versions. */
  pinnedAt: z.number().int().nonnegative().optional(),
  /** The run's own timeout: its pin is stale once older than that (whatever the host GC judging it is configured with). */
  timeoutMs: z.number().int().positive().optional(),
});
export type RunPinRecord = z.infer<typeof runPinRecordSchema>;
