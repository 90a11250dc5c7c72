// A host's tree GC settings, read from its environment: the same variables, defaults and bounds
// on a core instance and on a satellite (SPK_TREE_GC_GRACE_MS, SPK_TREE_GC_INTERVAL_MS).
import { z } from 'zod';
import { DEFAULT_TREE_GC_GRACE_MS, DEFAULT_TREE_GC_INTERVAL_MS, SpkError } from '@spk/common';

export const TREE_GC_ENV = { graceMs: 'SPK_TREE_GC_GRACE_MS', intervalMs: 'SPK_TREE_GC_INTERVAL_MS' } as const;
const DAY_MS = 24 * 3_600_000;

/** A whole number of milliseconds in [min, max] from an environment variable; unset or empty: `fallback`. */
export const millisSetting = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ error: 'must be a whole number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(min, `must be at least ${min} ms`)
      .max(max, `must be at most ${max} ms`)
      .default(fallback),
  );

/** The variables' schemas, for a host that validates them together with its own settings. */
export const treeGcEnvShape = {
  [TREE_GC_ENV.graceMs]: millisSetting(0, 30 * DAY_MS, DEFAULT_TREE_GC_GRACE_MS),
  [TREE_GC_ENV.intervalMs]: millisSetting(1_000, DAY_MS, DEFAULT_TREE_GC_INTERVAL_MS),
};

export interface TreeGcConfig {
  /** A retired tree is deleted once retired this long and no live run pins it. */
  graceMs: number;
  /** How often a pass runs besides after every reconcile that moved `current`. */
  intervalMs: number;
}

/** Reads the settings; a bad value throws INVALID_INPUT naming the variable and what it must be. */
export function treeGcFromEnv(env: Readonly<Record<string, string | undefined>>): TreeGcConfig {
  const parsed = z.object(treeGcEnvShape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new SpkError('INVALID_INPUT', `invalid tree GC settings in the environment: ${problems}; fix or unset these variables`);
  }
  return { graceMs: parsed.data[TREE_GC_ENV.graceMs], intervalMs: parsed.data[TREE_GC_ENV.intervalMs] };
}
