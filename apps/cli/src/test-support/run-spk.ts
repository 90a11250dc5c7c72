// Runs the real `spk` bin as a child process, with an environment cleaned of anything that would
// point it at another server, and hands back what a shell script would see.
import path from 'node:path';
import { REPO_ROOT, runProcess, type ProcessResult } from '@spk/tools';

export const SPK_BIN = path.join(REPO_ROOT, 'apps/cli/bin/spk.mjs');

export type SpkResult = ProcessResult;

/** The caller's environment minus anything that would point spk elsewhere. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['SPK_SERVER', 'SPK_TOKEN', 'SPK_DATA_DIR', 'HOST', 'PORT']) delete env[name];
  return { ...env, ...extra };
}

export function runSpk(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; stdin?: string } = {}): Promise<SpkResult> {
  return runProcess(process.execPath, [SPK_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: cleanEnv(options.env ?? {}),
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
}
