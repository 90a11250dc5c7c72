// What an operator may declare: a registry package name plus a semver range, exact version or
// dist-tag. Validation uses npm's own parsers so we accept exactly what npm would resolve, and
// name the kind of spec (git, URL, file, directory, alias) when it is not a registry one.
import npa from 'npm-package-arg';
import validateName from 'validate-npm-package-name';
import { z } from 'zod';
import { SpkError } from './errors.ts';

export type RegistrySpecType = 'range' | 'version' | 'tag';
const REGISTRY_SPEC_TYPES = new Set<string>(['range', 'version', 'tag']);
const SPEC_KIND_LABELS: Record<string, string> = {
  git: 'a git spec',
  file: 'a local tarball (file:) spec',
  directory: 'a local directory (file:) spec',
  remote: 'a tarball URL spec',
  alias: 'an alias (npm:) spec',
};
const HOST_LABELS: Record<string, string> = { github: 'GitHub', gitlab: 'GitLab', bitbucket: 'Bitbucket', gist: 'GitHub gist', sourcehut: 'sourcehut' };

/** What to do instead, after any refused non-registry spec. */
const REGISTRY_SPECS_ONLY =
  'only registry specs are allowed: a name with an optional semver range, exact version or dist-tag (zod, zod@^3.23, zod@latest); publish other code to a registry first';

function describeKind(parsed: npa.Result): string {
  const label = SPEC_KIND_LABELS[parsed.type] ?? `a ${parsed.type} spec`;
  const host = parsed.type === 'git' && parsed.hosted ? HOST_LABELS[parsed.hosted.type] : undefined;
  return host ? `${label} (${host})` : label;
}

/**
 * The kind of a spec npm would fetch from somewhere other than the registry (`"a git spec"`,
 * `"a tarball URL spec"`, …), or null for a registry spec or something npm cannot parse at all.
 */
export function nonRegistrySpecKind(spec: string): string | null {
  let parsed: npa.Result;
  try {
    parsed = npa(spec);
  } catch {
    return null;
  }
  return REGISTRY_SPEC_TYPES.has(parsed.type) ? null : describeKind(parsed);
}

/**
 * Returns a problem description, or null when `name` is a valid npm package name: valid for new
 * packages, or valid only for legacy ones (see `legacyNameReason`), which the backend accepts
 * only when the registry has the package.
 */
export function checkPackageName(name: string): string | null {
  const result = validateName(name);
  if (result.validForOldPackages) return null;
  const kind = nonRegistrySpecKind(name);
  if (kind) return `"${name}" is ${kind}, not a package name; ${REGISTRY_SPECS_ONLY}`;
  const problems = [...(result.errors ?? []), ...(result.warnings ?? [])];
  return `"${name}" is not a valid npm package name: ${problems.join('; ')}`;
}

/**
 * Why `name` is valid only for packages published before npm's current rules (upper case, a core
 * module's name, `~'!()*`), or null when it is valid for new packages too.
 */
export function legacyNameReason(name: string): string | null {
  const result = validateName(name);
  if (result.validForNewPackages || !result.validForOldPackages) return null;
  return (result.warnings ?? []).join('; ');
}

/** Whether npm reads `range` as a semver range, an exact version or a dist-tag; null for anything else. */
export function registrySpecType(name: string, range: string): RegistrySpecType | null {
  try {
    const type = npa.resolve(name, range).type;
    return REGISTRY_SPEC_TYPES.has(type) ? (type as RegistrySpecType) : null;
  } catch {
    return null;
  }
}

/** Returns a problem description, or null when `range` is a registry range, version or dist-tag. */
export function checkPackageRange(name: string, range: string): string | null {
  let parsed: ReturnType<typeof npa.resolve>;
  try {
    parsed = npa.resolve(name, range);
  } catch (error) {
    return `"${range}" is not a valid version range for ${name}: ${(error as Error).message}`;
  }
  if (REGISTRY_SPEC_TYPES.has(parsed.type)) return null;
  return `"${range}" is ${describeKind(parsed)}; ${REGISTRY_SPECS_ONLY}`;
}

export const packageNameSchema = z
  .string()
  .min(1, 'a package name is required')
  .max(214, 'a package name has at most 214 characters')
  .superRefine((name, ctx) => {
    const problem = checkPackageName(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const packageRangeSchema = z
  .string()
  .trim()
  .min(1, 'a version range is required (use "latest" for the newest release)')
  .max(256, 'a version range has at most 256 characters');

export const DEFAULT_RANGE = 'latest';

export interface ParsedSpec {
  name: string;
  range: string;
}

/** Parses `name`, `name@range` or `@scope/name@range` as typed on a command line. */
export function parsePackageSpec(spec: string): ParsedSpec {
  const trimmed = spec.trim();
  // As npm reads it first: a URL, a path or a git remote is refused for what it is, not as a bad name.
  const kind = nonRegistrySpecKind(trimmed);
  if (kind) throw new SpkError('INVALID_SPEC', `"${trimmed}" is ${kind}; ${REGISTRY_SPECS_ONLY}`, { spec });
  const at = trimmed.indexOf('@', trimmed.startsWith('@') ? 1 : 0);
  const name = at === -1 ? trimmed : trimmed.slice(0, at);
  const range = at === -1 ? DEFAULT_RANGE : trimmed.slice(at + 1);
  const nameProblem = checkPackageName(name);
  if (nameProblem) throw new SpkError('INVALID_SPEC', nameProblem, { spec });
  const rangeProblem = checkPackageRange(name, range);
  if (rangeProblem) throw new SpkError('INVALID_SPEC', rangeProblem, { spec });
  return { name, range };
}
