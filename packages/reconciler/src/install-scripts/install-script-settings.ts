// A host's settings for lifecycle scripts, read from its environment: the same variable and
// default on a core instance and on a satellite, so a timeout message names a variable that
// works wherever the script ran. The OS user is the script runs' one (SPK_RUN_AS_USER).
import { z } from 'zod';
import { SpkError } from '@spk/common';

export const INSTALL_SCRIPTS_TIMEOUT_ENV = 'SPK_INSTALL_SCRIPTS_TIMEOUT_MS';
export const DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS = 300_000;
const MAX_INSTALL_SCRIPTS_TIMEOUT_MS = 24 * 3_600_000;

/** The variable's schema, for a host that validates it together with its own settings. */
export const installScriptsEnvShape = {
  [INSTALL_SCRIPTS_TIMEOUT_ENV]: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ error: 'must be a whole number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(100, 'must be 100 ms to 24 hours')
      .max(MAX_INSTALL_SCRIPTS_TIMEOUT_MS, 'must be 100 ms to 24 hours')
      .default(DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS),
  ),
};

export interface InstallScriptsConfig {
  /** How long each lifecycle script (preinstall, install, postinstall) may run before it is killed. */
  timeoutMs: number;
}

/** From variables already validated with `installScriptsEnvShape`. */
export function installScriptsFromParsedEnv(env: { [INSTALL_SCRIPTS_TIMEOUT_ENV]: number }): InstallScriptsConfig {
  return { timeoutMs: env[INSTALL_SCRIPTS_TIMEOUT_ENV] };
}

/** Reads the settings; a bad value throws INVALID_INPUT naming the variable and what it must be. */
export function installScriptsFromEnv(env: Readonly<Record<string, string | undefined>>): InstallScriptsConfig {
  const parsed = z.object(installScriptsEnvShape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new SpkError('INVALID_INPUT', `invalid install-script settings in the environment: ${problems}; fix or unset this variable`);
  }
  return installScriptsFromParsedEnv(parsed.data);
}
