import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_LIMITS } from '@spk/common';
import { loadConfig } from './config.ts';

describe('script run settings from the environment', () => {
  it('defaults to the shared limits, no child processes or workers, and no run user', () => {
    expect(loadConfig({}).runs).toEqual({ settings: { ...DEFAULT_RUN_LIMITS, allowChildProcess: false, allowWorker: false, allowFsRead: [] }, runAsUser: undefined });
  });

  it('reads every limit, allowance and the run user', () => {
    const runs = loadConfig({
      SPK_RUN_MAX_RESULT_BYTES: '2048',
      SPK_RUN_MAX_OUTPUT_BYTES: '4096',
      SPK_RUN_MAX_HEAP_MB: '128',
      SPK_RUN_MAX_TIMEOUT_MS: '5000',
      SPK_RUN_MAX_CONCURRENT: '2',
      SPK_RUN_ALLOW_CHILD_PROCESS: 'true',
      SPK_RUN_ALLOW_WORKER: '1',
      SPK_RUN_ALLOW_FS_READ: '/etc/ssl:/srv/shared',
      SPK_RUN_AS_USER: 'spk-run',
    }).runs;
    expect(runs).toEqual({
      settings: {
        maxResultBytes: 2048,
        maxOutputBytes: 4096,
        maxHeapMb: 128,
        maxTimeoutMs: 5000,
        maxConcurrent: 2,
        allowChildProcess: true,
        allowWorker: true,
        allowFsRead: ['/etc/ssl', '/srv/shared'],
      },
      runAsUser: 'spk-run',
    });
  });

  it('refuses a relative read path, a non-boolean flag and a zero concurrency, naming the variable', () => {
    expect(() => loadConfig({ SPK_RUN_ALLOW_FS_READ: 'relative/dir' })).toThrow(/SPK_RUN_ALLOW_FS_READ/);
    expect(() => loadConfig({ SPK_RUN_ALLOW_CHILD_PROCESS: 'yes' })).toThrow(/SPK_RUN_ALLOW_CHILD_PROCESS: must be true or false/);
    expect(() => loadConfig({ SPK_RUN_MAX_CONCURRENT: '0' })).toThrow(/SPK_RUN_MAX_CONCURRENT/);
  });
});
