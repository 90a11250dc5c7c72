// npm's own reading of names and specs, for Node processes (the backend, the CLI's tests): the
// authoritative second check where a declaration is accepted, and the one name rule the pure
// root cannot apply without Node (a core module's name is valid only for legacy packages).
// The root's pure checks (../package-spec.ts) are kept in agreement by npm-parity.test.ts.
import npa from 'npm-package-arg';
import validateName from 'validate-npm-package-name';
import { isRegistryType, type RegistrySpecType } from '../spec-reading.ts';
import { REGISTRY_SPECS_ONLY, specKindLabel } from '../spec-kind-label.ts';

/**
 * Why `name` is valid only for packages published before npm's current rules (upper case, a core
 * module's name, `~'!()*`, over 214 characters), or null when it is valid for new packages too
 * (or not valid at all).
 */
export function legacyNameReason(name: string): string | null {
  const result = validateName(name);
  if (result.validForNewPackages || !result.validForOldPackages) return null;
  return (result.warnings ?? []).join('; ');
}

function npmResolve(name: string, range: string): npa.Result | Error {
  try {
    return npa.resolve(name, range);
  } catch (error) {
    return error as Error;
  }
}

/** npm-package-arg's answer: whether npm reads `range` as a semver range, an exact version or a dist-tag; null for anything else. */
export function npmRegistrySpecType(name: string, range: string): RegistrySpecType | null {
  const parsed = npmResolve(name, range);
  return !(parsed instanceof Error) && isRegistryType(parsed.type) ? parsed.type : null;
}

/**
 * npm-package-arg's verdict on `name@range` as a declaration: a problem description (the same
 * words as `checkPackageRange`), or null when npm reads it as a registry range, version or dist-tag.
 */
export function npmSpecProblem(name: string, range: string): string | null {
  const parsed = npmResolve(name, range);
  if (parsed instanceof Error) return `"${range}" is not a valid version range for ${name}: ${parsed.message}`;
  if (isRegistryType(parsed.type)) return null;
  const host = parsed.type === 'git' ? parsed.hosted?.type : undefined;
  return `"${range}" is ${specKindLabel(parsed.type, host)}; ${REGISTRY_SPECS_ONLY}`;
}
