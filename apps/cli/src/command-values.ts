// How command-line values become typed values for the command table (durations, sizes, hashes),
// each refusing a bad value with a usage error that names the flag and the command.
import { lockfileHashRefSchema } from '@spk/common';
import type { RawValues } from './command-table.ts';
import { secondsOption } from './durations.ts';
import { parseSize } from './sizes.ts';
import { UsageError } from './usage-error.ts';

export function positiveMs(value: string | undefined, flag: string, topic: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`${flag} takes a positive whole number of milliseconds, got "${value}"`, topic);
  }
  return Number(value);
}

export function size(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const bytes = parseSize(value);
  if (bytes === null) {
    throw new UsageError(`${flag} takes a size such as 150MiB, 1.5GiB, 500MB or a number of bytes, got "${value}"`, 'caps set');
  }
  return bytes;
}

/** `--timeout <seconds>` of a `--wait`: refused without --wait, in ms otherwise. */
export function waitTimeout(values: RawValues, topic: string): number | undefined {
  if (values.timeout !== undefined && values.wait !== true) throw new UsageError('--timeout applies to --wait; add --wait', topic);
  return secondsOption(values.timeout, '--timeout', topic);
}

/** A full lockfile hash or a unique prefix, as `spk history` prints them; the server resolves prefixes. */
export function hashRef(value: string, topic: string): string {
  const hash = value.toLowerCase();
  if (!lockfileHashRefSchema.safeParse(hash).success) {
    throw new UsageError(`"spk ${topic}" takes a lockfile hash or a unique prefix of at least 7 hex digits (as \`spk history\` prints them), got "${value}"`, topic);
  }
  return hash;
}

export const REGISTRY_TOKEN_HINT =
  'the registry token is read from stdin only, so it stays out of the process list and shell history: ' +
  'printf %s "$NPM_TOKEN" | spk registry set <url> --token-stdin';
