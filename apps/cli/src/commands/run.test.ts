import { isSpkError } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { CommandFailedError } from '../errors.ts';
import { captureIo, commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { readRunInput, runRunCommand } from './run.ts';

function context(files: Record<string, string>, result?: unknown) {
  const io = captureIo({
    readTextFile: async (p: string) => {
      if (p in files) return files[p]!;
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    },
  });
  const execute = recordingProcedure(() => result);
  const { ctx, out, err } = commandContext({ runs: { execute } }, { io });
  return { ctx, out, err, inputs: execute.inputs };
}

const okResult = { runId: 'r', lockfileHash: 'a'.repeat(64), ok: true, hasResult: true, result: { up: true }, stdout: 'checking\n', stderr: 'note', durationMs: 5, error: null };

describe('readRunInput', () => {
  it('sends the basename, the source and the timeout', async () => {
    const { ctx } = context({ '/scripts/check.mjs': 'export default 1' });
    expect(await readRunInput(ctx, { kind: 'run', file: '/scripts/check.mjs', timeoutMs: 500 })).toEqual({
      filename: 'check.mjs',
      source: 'export default 1',
      timeoutMs: 500,
    });
  });

  it('refuses an unreadable file or a name the server would refuse, before any request', async () => {
    const { ctx, inputs } = context({ 'check.ts': 'x' });
    const missing = await readRunInput(ctx, { kind: 'run', file: 'gone.mjs', timeoutMs: undefined }).catch((e: unknown) => e);
    expect(isSpkError(missing, 'INVALID_INPUT')).toBe(true);
    expect((missing as Error).message).toBe('cannot read gone.mjs (ENOENT)');
    const wrongExt = await runRunCommand(ctx, { kind: 'run', file: 'check.ts', timeoutMs: undefined }).catch((e: unknown) => e);
    expect(isSpkError(wrongExt, 'INVALID_INPUT')).toBe(true);
    expect(inputs).toEqual([]);
  });
});

describe('runRunCommand', () => {
  it("relays the script's stdout and stderr, then prints the result labelled", async () => {
    const { ctx, out, err } = context({ 'c.mjs': 'x' }, okResult);
    await runRunCommand(ctx, { kind: 'run', file: 'c.mjs', timeoutMs: undefined });
    expect(out.join('')).toBe('checking\nresult: {\n  "up": true\n}\n');
    expect(err.join('')).toBe('note\n');
  });

  it('prints no result for a script that exported nothing, and "result: null" for one that exported null', async () => {
    const none = context({ 'c.mjs': 'x' }, { ...okResult, hasResult: false, result: null });
    await runRunCommand(none.ctx, { kind: 'run', file: 'c.mjs', timeoutMs: undefined });
    expect(none.out.join('')).toBe('checking\n');

    const explicitNull = context({ 'c.mjs': 'x' }, { ...okResult, hasResult: true, result: null });
    await runRunCommand(explicitNull.ctx, { kind: 'run', file: 'c.mjs', timeoutMs: undefined });
    expect(explicitNull.out.join('')).toBe('checking\nresult: null\n');
  });

  it('fails with the run error when the script did not succeed', async () => {
    const failed = { ...okResult, ok: false, result: null, error: { code: 'RUN_TIMEOUT', message: 'timed out after 500 ms' } };
    const { ctx } = context({ 'c.mjs': 'x' }, failed);
    const error = await runRunCommand(ctx, { kind: 'run', file: 'c.mjs', timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error).toMatchObject({ code: 'RUN_TIMEOUT', message: 'script failed after 5 ms: timed out after 500 ms' });
  });
});
