import { describe, expect, it } from 'vitest';
import { runScriptInputSchema } from '@spk/common';
import { isRunShortcut, runRequestFrom, timeoutMsFrom } from './run-request.ts';

describe('run request', () => {
  it('turns the form into an input the contract accepts, timeout in milliseconds', () => {
    const request = runRequestFrom('export default 1;', 'script.mjs', '2.5');
    expect(request).toEqual({ ok: true, input: { filename: 'script.mjs', source: 'export default 1;', timeoutMs: 2500 } });
    if (request.ok) expect(runScriptInputSchema.safeParse(request.input).success).toBe(true);
  });

  it('explains a timeout that is not a number of seconds within the limit', () => {
    expect(timeoutMsFrom('')).toMatch(/must be a number of seconds, from 1 to 600/);
    expect(timeoutMsFrom('abc')).toMatch(/must be a number of seconds/);
    expect(timeoutMsFrom('0')).toMatch(/between 1 and 600 seconds \(got 0\)/);
    expect(timeoutMsFrom('601')).toMatch(/between 1 and 600 seconds/);
    expect(timeoutMsFrom(' 600 ')).toBe(600_000);
    expect(runRequestFrom('export default 1;', 'script.mjs', '-3')).toEqual({ ok: false, message: expect.stringMatching(/got -3/) });
  });

  it('refuses an empty script with what to write instead', () => {
    expect(runRequestFrom('  \n', 'script.mjs', '30')).toEqual({ ok: false, message: expect.stringMatching(/script is empty/) });
  });

  it('recognises Ctrl+Enter and Cmd+Enter, not a plain Enter', () => {
    expect(isRunShortcut({ key: 'Enter', ctrlKey: true, metaKey: false })).toBe(true);
    expect(isRunShortcut({ key: 'Enter', ctrlKey: false, metaKey: true })).toBe(true);
    expect(isRunShortcut({ key: 'Enter', ctrlKey: false, metaKey: false })).toBe(false);
    expect(isRunShortcut({ key: 'a', ctrlKey: true, metaKey: false })).toBe(false);
  });
});
