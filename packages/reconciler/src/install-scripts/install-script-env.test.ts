import { describe, expect, it } from 'vitest';
import { binDirs, installScriptEnv, installScriptNodeOptions } from './install-script-env.ts';

const input = {
  treeRoot: '/data/trees/t',
  packagePath: 'node_modules/a/node_modules/@s/b',
  name: '@s/b',
  version: '1.2.3',
  stage: 'postinstall' as const,
  privateDir: '/data/trees/home',
  runId: 'install-1',
  execPath: '/opt/node/bin/node',
  hostPath: '/usr/bin:/bin',
  knownFlags: new Set(['--experimental-permission', '--disable-warning']),
};

describe('installScriptEnv', () => {
  it('puts the .bin dirs of the package, each enclosing package and the tree root first on PATH, then node, then the host PATH', () => {
    expect(binDirs(input.treeRoot, input.packagePath)).toEqual([
      '/data/trees/t/node_modules/a/node_modules/@s/b/node_modules/.bin',
      '/data/trees/t/node_modules/a/node_modules/.bin',
      '/data/trees/t/node_modules/.bin',
    ]);
    expect(installScriptEnv(input).PATH).toBe(
      [...binDirs(input.treeRoot, input.packagePath), '/opt/node/bin', '/usr/bin', '/bin'].join(':'),
    );
  });

  it("holds only what npm gives a script, a private HOME/TMPDIR, the run marker and the permission flags", () => {
    const env = installScriptEnv(input);
    expect(Object.keys(env).sort()).toEqual(
      ['HOME', 'INIT_CWD', 'NODE_OPTIONS', 'PATH', 'SPK_RUN_ID', 'TMPDIR', 'npm_lifecycle_event', 'npm_node_execpath', 'npm_package_name', 'npm_package_version'].sort(),
    );
    expect(env).toMatchObject({ HOME: '/data/trees/home', TMPDIR: '/data/trees/home', INIT_CWD: '/data/trees/t', npm_lifecycle_event: 'postinstall', npm_package_name: '@s/b' });
  });

  it('lets Node write only the package dir and the private dir, quoting paths with spaces, with the flag name this Node knows', () => {
    const options = installScriptNodeOptions({ ...input, treeRoot: '/data dir/t', knownFlags: new Set(['--permission']) });
    expect(options).toBe(
      '--permission --allow-fs-read=* --allow-fs-write="/data dir/t/node_modules/a/node_modules/@s/b" --allow-fs-write="/data/trees/home" --allow-child-process --allow-worker',
    );
    expect(installScriptNodeOptions(input)).toMatch(/^--disable-warning=ExperimentalWarning --disable-warning=SecurityWarning --experimental-permission /);
  });
});
