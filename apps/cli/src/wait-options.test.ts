// The wait options: `spk install --wait --timeout <s>` and `spk run --wait-converged <s>`, from the
// command line to what is sent.
import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from './args.ts';
import { runRunCommand } from './commands/run.ts';
import { captureIo, commandContext, recordingProcedure } from './test-support/command-context.ts';

const command = (...argv: string[]) => parseCliArgs(argv).command;

describe('install --timeout', () => {
  it('takes seconds, or 90s / 5m', () => {
    expect(command('install', '--wait', '--timeout', '120')).toEqual({ kind: 'install', wait: true, timeoutMs: 120_000 });
    expect(command('install', '--wait', '--timeout', '5m')).toEqual({ kind: 'install', wait: true, timeoutMs: 300_000 });
    expect(command('install', '--wait')).toEqual({ kind: 'install', wait: true, timeoutMs: undefined });
  });

  it('is refused without --wait, and with a value that is no duration', () => {
    expect(() => command('install', '--timeout', '10')).toThrow(UsageError);
    expect(() => command('install', '--timeout', '10')).toThrow('--timeout applies to --wait; add --wait');
    expect(() => command('install', '--wait', '--timeout', '1h')).toThrow('--timeout takes a whole number of seconds (or 90s, 5m), got "1h"');
  });
});

describe('run --wait-converged', () => {
  it('is parsed as seconds, up to the 60 s the server allows', () => {
    expect(command('run', 'check.mjs', '--wait-converged', '30')).toMatchObject({ kind: 'run', file: 'check.mjs', waitConvergedMs: 30_000 });
    expect(() => command('run', 'check.mjs', '--wait-converged', '2m')).toThrow('--wait-converged is at most 60 seconds, got "2m"');
  });

  it('sends waitForConvergenceMs with the run, and nothing without the option', async () => {
    const result = { runId: 'r', lockfileHash: 'a'.repeat(64), ok: true, hasResult: false, result: null, stdout: '', stderr: '', durationMs: 1, error: null };
    const execute = recordingProcedure(() => result);
    const { ctx } = commandContext({ runs: { execute } }, { io: captureIo({ readTextFile: async () => 'export default 1' }) });
    await runRunCommand(ctx, { kind: 'run', file: 'a.mjs', timeoutMs: undefined, waitConvergedMs: 45_000 });
    await runRunCommand(ctx, { kind: 'run', file: 'a.mjs', timeoutMs: undefined });
    expect(execute.inputs).toEqual([
      { filename: 'a.mjs', source: 'export default 1', waitForConvergenceMs: 45_000 },
      { filename: 'a.mjs', source: 'export default 1' },
    ]);
  });
});
