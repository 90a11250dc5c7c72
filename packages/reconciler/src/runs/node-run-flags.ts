// The Node command-line flags that confine a script run with Node's own permission model. Pure:
// which flag names a Node version knows is passed in, so both spellings are tested anywhere.
//
// Node 20 and 22.0-22.12 only know `--experimental-permission`; 22.13+ and 23.5+ know
// `--permission`. Since 20.x (backported) and on 22+, each allowed path is its own
// `--allow-fs-read=<path>` flag (a comma-separated list is refused) and a directory grants
// everything below it.

export interface RunFlagsInput {
  /** `process.allowedNodeEnvironmentFlags` of the Node that runs the script, or a stand-in. */
  knownFlags: ReadonlySet<string>;
  readPaths: readonly string[];
  writePaths: readonly string[];
  allowChildProcess: boolean;
  allowWorker: boolean;
  maxHeapMb: number;
  preserveSymlinks: boolean;
  /** Preloaded before the runner (`--import`). */
  preload: string;
}

export function permissionFlag(knownFlags: ReadonlySet<string>): '--permission' | '--experimental-permission' {
  return knownFlags.has('--permission') ? '--permission' : '--experimental-permission';
}

export function nodeRunFlags(input: RunFlagsInput): string[] {
  const permission = permissionFlag(input.knownFlags);
  const flags = [
    permission,
    ...input.readPaths.map((p) => `--allow-fs-read=${p}`),
    ...input.writePaths.map((p) => `--allow-fs-write=${p}`),
    ...(input.allowChildProcess ? ['--allow-child-process'] : []),
    ...(input.allowWorker ? ['--allow-worker'] : []),
    `--max-old-space-size=${input.maxHeapMb}`,
    ...(input.preserveSymlinks ? ['--preserve-symlinks'] : []),
    '--import',
    input.preload,
  ];
  // Where the model is still experimental, its start-up warning would land in every run's stderr.
  if (permission === '--experimental-permission' && input.knownFlags.has('--disable-warning')) {
    flags.unshift('--disable-warning=ExperimentalWarning');
  }
  return flags;
}
