import { describe, expect, it } from 'vitest';
import { nodeRunFlags, permissionFlag } from './node-run-flags.ts';

const node20 = new Set(['--experimental-permission', '--disable-warning', '--allow-fs-read']);
const node24 = new Set(['--permission', '--disable-warning', '--allow-fs-read']);
const input = {
  readPaths: ['/srv/runner.mjs', '/data/.runs/r1'],
  writePaths: ['/data/.runs/r1/tmp'],
  allowChildProcess: false,
  allowWorker: false,
  maxHeapMb: 256,
  preserveSymlinks: false,
  preload: '/srv/confine.mjs',
};

describe('node run flags', () => {
  it('uses --experimental-permission where Node does not know --permission, and hides its warning', () => {
    expect(permissionFlag(node20)).toBe('--experimental-permission');
    expect(nodeRunFlags({ ...input, knownFlags: node20 })).toEqual([
      '--disable-warning=ExperimentalWarning',
      '--experimental-permission',
      '--allow-fs-read=/srv/runner.mjs',
      '--allow-fs-read=/data/.runs/r1',
      '--allow-fs-write=/data/.runs/r1/tmp',
      '--max-old-space-size=256',
      '--import',
      '/srv/confine.mjs',
    ]);
  });

  it('uses --permission on Node 22.13+/24, one flag per path, and adds only the allowances asked for', () => {
    expect(nodeRunFlags({ ...input, knownFlags: node24, allowChildProcess: true, allowWorker: true, preserveSymlinks: true })).toEqual([
      '--permission',
      '--allow-fs-read=/srv/runner.mjs',
      '--allow-fs-read=/data/.runs/r1',
      '--allow-fs-write=/data/.runs/r1/tmp',
      '--allow-child-process',
      '--allow-worker',
      '--max-old-space-size=256',
      '--preserve-symlinks',
      '--import',
      '/srv/confine.mjs',
    ]);
  });

  it('matches the Node running these tests', () => {
    const flag = permissionFlag(process.allowedNodeEnvironmentFlags);
    expect(flag).toBe(Number(process.versions.node.split('.')[0]) >= 24 ? '--permission' : '--experimental-permission');
  });
});
