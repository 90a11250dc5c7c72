import inspector from 'node:inspector';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_MARKER_ENV } from '../runs/run-process-tree.ts';
import { useTempDirs } from '../test-support/temp-dirs.ts';
import { runInstallScriptProcess } from './install-script-process.ts';

const tempDir = useTempDirs();

describe('runInstallScriptProcess', () => {
  // Should the guard be missing, close what the signal opened rather than leave it to the next file.
  afterAll(() => {
    if (inspector.url()) inspector.close();
  });

  it("cannot open the server's inspector by sending it SIGUSR1", async () => {
    // Nothing in this file ran a script before: this call alone must install the guard.
    expect(process.listenerCount('SIGUSR1')).toBe(0);
    const runId = 'install-script-inspector-test';
    const outcome = await runInstallScriptProcess({
      script: 'kill -USR1 $PPID && sleep 0.3 && echo sent',
      cwd: await tempDir(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [RUN_MARKER_ENV]: runId },
      runId,
      timeoutMs: 10_000,
    });
    expect(outcome).toMatchObject({ code: 0, timedOut: false, outputTail: 'sent' });
    expect(inspector.url()).toBeUndefined();
    expect(process.listenerCount('SIGUSR1')).toBe(1);
  });
});
