import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { convergedRunHost } from '../test-support/run-host.ts';
import { useTempDirs } from '../test-support/temp-dirs.ts';
import { createScriptRunner } from './script-runner.ts';

const tempDir = useTempDirs();
const MiB = 1024 * 1024;

describe('a script cannot forge the result of its run', () => {
  it('has no IPC channel to send a result on', async () => {
    const { run } = await convergedRunHost(tempDir);
    expect((await run('export default typeof process.send;')).result).toBe('undefined');
  });

  it('a frame written to the result channel without the run secret is refused, not taken for the result', async () => {
    const { run } = await convergedRunHost(tempDir);
    const forged = `import { writeSync } from 'node:fs';
      writeSync(3, 'SPKRESULT1 ' + 'ab'.repeat(24) + ' ok 8\\n"forged"');
      export default 'real';`;
    const result = await run(forged);
    expect(result).toMatchObject({ ok: false, result: null, error: { code: 'RUN_FAILED' } });
    expect(result.error?.message).toContain("does not carry this run's secret");

    const forgedThenExit = `import { writeSync } from 'node:fs';
      writeSync(3, 'SPKRESULT1 ' + 'ab'.repeat(24) + ' ok 8\\n"forged"');
      process.exit(0);`;
    expect(await run(forgedThenExit)).toMatchObject({ ok: false, result: null, error: { code: 'RUN_FAILED' } });
  });
});

describe('script run limits', () => {
  it('refuses a result over the cap with RUN_RESULT_TOO_LARGE naming the setting', async () => {
    const { run } = await convergedRunHost(tempDir);
    const result = await run("export default 'x'.repeat(2 * 1024 * 1024);");
    expect(result).toMatchObject({ ok: false, result: null, error: { code: 'RUN_RESULT_TOO_LARGE' } });
    expect(result.error?.message).toBe(
      "the script's result is 2097154 bytes as JSON, more than the 1048576-byte limit; return less data, or raise SPK_RUN_MAX_RESULT_BYTES",
    );
    expect((await run("export default 'x'.repeat(1000);", { settings: { maxResultBytes: 500 } })).error?.code).toBe('RUN_RESULT_TOO_LARGE');
    expect((await run("export default 'x'.repeat(1000);", { settings: { maxResultBytes: 2000 } })).ok).toBe(true);
  });

  it('a big result never reaches the server: the runner measures a 40 MB export, and a 400 MB raw write is cut at the cap', async () => {
    const { run } = await convergedRunHost(tempDir);
    const rssBefore = process.memoryUsage().rss;
    const exported = await run("export default 'x'.repeat(40 * 1024 * 1024);", { settings: { maxHeapMb: 512 } });
    expect(exported.error).toMatchObject({ code: 'RUN_RESULT_TOO_LARGE', message: expect.stringContaining('41943042 bytes as JSON') });
    // A script that bypasses the runner and writes 400 MB straight to the result pipe.
    const raw = await run(`import { writeSync } from 'node:fs';
      const chunk = Buffer.alloc(4 * 1024 * 1024, 120);
      for (let i = 0; i < 100; i++) writeSync(3, chunk);
      export default 1;`);
    expect(raw.error).toMatchObject({ code: 'RUN_RESULT_TOO_LARGE', message: expect.stringContaining('more than the 1048576-byte limit') });
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * MiB);
  });

  it('keeps every byte a script printed right before exiting', async () => {
    const { run } = await convergedRunHost(tempDir);
    const result = await run("process.stdout.write('a'.repeat(900 * 1024) + 'END'); process.exit(0);");
    expect(result.stdout.length).toBe(900 * 1024 + 3);
    expect(result.stdout.endsWith('END')).toBe(true);
  });

  it('cuts stdout and stderr at the cap with a marker, keeping the first bytes even when the script exits at once', async () => {
    const { run } = await convergedRunHost(tempDir);
    const result = await run("process.stdout.write('o'.repeat(3 * 1024 * 1024)); process.stderr.write('e'.repeat(5000)); process.exit(0);", {
      settings: { maxOutputBytes: 4096 },
    });
    expect(result.stdout).toBe(
      `${'o'.repeat(4096)}\n[spk: stdout truncated: the script wrote 3145728 bytes, only the first 4096 are kept; raise SPK_RUN_MAX_OUTPUT_BYTES to keep more]\n`,
    );
    expect(result.stderr).toBe(`${'e'.repeat(4096)}\n[spk: stderr truncated: the script wrote 5000 bytes, only the first 4096 are kept; raise SPK_RUN_MAX_OUTPUT_BYTES to keep more]\n`);
  });

  it('stops a script that allocates beyond its heap and reports RUN_OUT_OF_MEMORY naming the setting', async () => {
    const { run } = await convergedRunHost(tempDir);
    const result = await run('const hoard = []; for (;;) hoard.push(new Array(1e6).fill(1.5)); export default hoard.length;', {
      settings: { maxHeapMb: 64 },
    });
    expect(result.error).toEqual({
      code: 'RUN_OUT_OF_MEMORY',
      message: 'the script ran out of memory: it needed more than its 64 MiB heap and was stopped; use less memory, or raise SPK_RUN_MAX_HEAP_MB',
    });
  });

  it('refuses a timeout above the host ceiling, naming the setting', async () => {
    const { run } = await convergedRunHost(tempDir);
    const error = await run('export default 1', { timeoutMs: 5000, settings: { maxTimeoutMs: 1000 } }).catch((e: unknown) => e);
    expect(isSpkError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toContain('SPK_RUN_MAX_TIMEOUT_MS');
  });

  it('runs at most maxConcurrent scripts at once: the fifth of five is refused with TOO_MANY_RUNS and a retry hint', async () => {
    const { dataDir, fixture } = await convergedRunHost(tempDir);
    const runner = createScriptRunner({ dataDir, settings: { maxConcurrent: 4 } });
    const request = { expectedHash: fixture.lockfileHash, filename: 'wait.mjs', source: 'await new Promise((r) => setTimeout(r, 600)); export default 1;', timeoutMs: 10_000 };
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => runner.run(request)));
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value.ok)).toHaveLength(4);
    expect(refused).toHaveLength(1);
    const error = (refused[0] as PromiseRejectedResult).reason;
    expect(isSpkError(error, 'TOO_MANY_RUNS')).toBe(true);
    expect(error.message).toContain('SPK_RUN_MAX_CONCURRENT');
    expect(error.details).toMatchObject({ limit: 4, retryAfterMs: expect.any(Number) });
    // Slots are given back however runs end.
    expect(runner.activeRuns()).toBe(0);
    expect((await runner.run(request)).ok).toBe(true);
    expect((await readdir(path.join(dataDir, '.runs'))).filter((name) => !name.startsWith('.'))).toEqual([]);
  });
});
