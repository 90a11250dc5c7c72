// What an operator may declare: a registry package name plus a semver range, exact version or
// dist-tag. Validation uses npm's own parsers so we accept exactly what npm would resolve.
import npa from 'npm-package-arg';
import validateName from 'validate-npm-package-name';
import { z } from 'zod';
import { SpkError } from './errors.ts';

const REGISTRY_SPEC_TYPES = new Set(['range', 'version', 'tag']);
const SPEC_KIND_LABELS: Record<string, string> = {
  git: 'a git spec',
  file: 'a local tarball (file:) spec',
  directory: 'a local directory (file:) spec',
  remote: 'a tarball URL spec',
  alias: 'an alias (npm:) spec',
};

/** Returns a problem description, or null when `name` is a valid npm package name. */
export function checkPackageName(name: string): string | null {
  const result = validateName(name);
  if (result.validForOldPackages) return null;
  const problems = [...(result.errors ?? []), ...(result.warnings ?? [])];
  return `"${name}" is not a valid npm package name: ${problems.join('; ')}`;
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
  const kind = SPEC_KIND_LABELS[parsed.type] ?? `a ${parsed.type} spec`;
  return `"${range}" is ${kind}; only registry specs are allowed (a semver range, an exact version or a dist-tag such as "latest")`;
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
  const at = trimmed.indexOf('@', trimmed.startsWith('@') ? 1 : 0);
  const name = at === -1 ? trimmed : trimmed.slice(0, at);
  const range = at === -1 ? DEFAULT_RANGE : trimmed.slice(at + 1);
  const nameProblem = checkPackageName(name);
  if (nameProblem) throw new SpkError('INVALID_SPEC', nameProblem, { spec });
  const rangeProblem = checkPackageRange(name, range);
  if (rangeProblem) throw new SpkError('INVALID_SPEC', rangeProblem, { spec });
  return { name, range };
}
