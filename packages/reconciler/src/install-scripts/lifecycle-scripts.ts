// Which lifecycle scripts a package has, read from its package.json as npm reads it: preinstall,
// install, postinstall, in that order. npm's implicit `install` (`node-gyp rebuild` for a package
// with a binding.gyp and neither install nor preinstall) is not run: hosts have no node-gyp nor
// a compiler toolchain to count on, so such a package is reported as skipped instead.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SpkError } from '@spk/common';
import { readFileIfPresent } from '../read-if-present.ts';

export const LIFECYCLE_STAGES = ['preinstall', 'install', 'postinstall'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export interface LifecycleScripts {
  stages: Array<{ stage: LifecycleStage; script: string }>;
  /** npm would run `node-gyp rebuild` here; hosts do not. */
  gypSkipped: boolean;
}

// Read from the package: only the fields used here are checked; anything else may be anything.
const packageJsonSchema = z.looseObject({
  scripts: z.record(z.string(), z.unknown()).optional(),
  gypfile: z.unknown().optional(),
});

/** Pure: the stages to run for a parsed package.json, and whether npm's node-gyp default was left out. */
export function lifecycleScripts(packageJson: z.infer<typeof packageJsonSchema>, hasBindingGyp: boolean): LifecycleScripts {
  const scripts = packageJson.scripts ?? {};
  const given = (stage: LifecycleStage) => {
    const script = scripts[stage];
    return typeof script === 'string' && script.trim() !== '' ? script : null;
  };
  const stages = LIFECYCLE_STAGES.flatMap((stage) => {
    const script = given(stage);
    return script === null ? [] : [{ stage, script }];
  });
  const gypSkipped = hasBindingGyp && packageJson.gypfile !== false && given('install') === null && given('preinstall') === null;
  return { stages, gypSkipped };
}

export async function readLifecycleScripts(packageDir: string, label: string): Promise<LifecycleScripts> {
  const fail = (why: string) =>
    new SpkError('INSTALL_SCRIPT_FAILED', `${label}: its install scripts cannot be read: ${why}; fix the package, or stop its scripts, and install again`, { package: label });
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'));
  } catch (error) {
    throw fail(`its package.json is missing or not JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const checked = packageJsonSchema.safeParse(parsed);
  if (!checked.success) throw fail(`its package.json has no valid "scripts" object (${checked.error.issues[0]?.message ?? 'invalid'})`);
  const hasBindingGyp = (await readFileIfPresent(path.join(packageDir, 'binding.gyp'))) !== null;
  return lifecycleScripts(checked.data, hasBindingGyp);
}
