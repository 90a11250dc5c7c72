// The whole environment of a lifecycle script: built from nothing, never from the server's own
// (which holds tokens, database URLs and NODE_OPTIONS). What npm gives a script that a package
// may rely on (PATH with the tree's .bin dirs, npm_lifecycle_event, npm_package_*, INIT_CWD,
// npm_node_execpath), a private HOME and TMPDIR, and NODE_OPTIONS that put every Node process the
// script starts under Node's permission model: read anywhere, write only the package's directory
// and the private temp dir. The model confines Node processes only; `sh` and other programs are
// bounded by the OS user the script runs as (SPK_RUN_AS_USER).
import path from 'node:path';
import { permissionFlag } from '../runs/node-run-flags.ts';
import { RUN_MARKER_ENV } from '../runs/run-process-tree.ts';
import type { LifecycleStage } from './lifecycle-scripts.ts';

export interface InstallScriptEnvInput {
  /** The tree being built (npm's INIT_CWD: where the install started). */
  treeRoot: string;
  /** The package's path in the tree, e.g. `node_modules/a/node_modules/b`. */
  packagePath: string;
  name: string;
  version: string;
  stage: LifecycleStage;
  /** HOME and TMPDIR: removed after the package's scripts ran. */
  privateDir: string;
  /** Marks every process of this script, so none outlives it (run-process-tree.ts). */
  runId: string;
  /** `process.execPath`, `process.env.PATH` and `process.allowedNodeEnvironmentFlags`, or stand-ins. */
  execPath: string;
  hostPath: string;
  knownFlags: ReadonlySet<string>;
}

/** The package's own node_modules/.bin, then each enclosing package's, then the tree root's, as npm orders them. */
export function binDirs(treeRoot: string, packagePath: string): string[] {
  const dirs: string[] = [];
  for (let base = packagePath; ; ) {
    dirs.push(path.join(treeRoot, base, 'node_modules', '.bin'));
    const cut = base.lastIndexOf('/node_modules/');
    if (cut < 0) break;
    base = base.slice(0, cut);
  }
  dirs.push(path.join(treeRoot, 'node_modules', '.bin'));
  return dirs;
}

/** NODE_OPTIONS splits on spaces outside double quotes, and reads `\` as an escape inside them. */
const quoted = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export function installScriptNodeOptions(input: Pick<InstallScriptEnvInput, 'treeRoot' | 'packagePath' | 'privateDir' | 'knownFlags'>): string {
  const flags = [
    permissionFlag(input.knownFlags),
    '--allow-fs-read=*',
    `--allow-fs-write=${quoted(path.join(input.treeRoot, input.packagePath))}`,
    `--allow-fs-write=${quoted(input.privateDir)}`,
    '--allow-child-process',
    '--allow-worker',
  ];
  // Each Node process would otherwise print the model's start-up warnings into the script's output.
  if (input.knownFlags.has('--disable-warning')) flags.unshift('--disable-warning=ExperimentalWarning', '--disable-warning=SecurityWarning');
  return flags.join(' ');
}

export function installScriptEnv(input: InstallScriptEnvInput): Record<string, string> {
  const pathDirs = [...binDirs(input.treeRoot, input.packagePath), path.dirname(input.execPath), ...input.hostPath.split(':').filter(Boolean)];
  return {
    PATH: pathDirs.join(':'),
    HOME: input.privateDir,
    TMPDIR: input.privateDir,
    npm_lifecycle_event: input.stage,
    npm_package_name: input.name,
    npm_package_version: input.version,
    npm_node_execpath: input.execPath,
    INIT_CWD: input.treeRoot,
    NODE_OPTIONS: installScriptNodeOptions(input),
    [RUN_MARKER_ENV]: input.runId,
  };
}
