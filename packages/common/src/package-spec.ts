// What an operator may declare: a registry package name plus a semver range, exact version or
// dist-tag. The checks follow npm's rules (package-name.ts, spec-reading.ts) without a Node API,
// so browsers can load them; where a declaration is accepted, the backend also asks npm's own
// parser (`@spk/common/node`). A spec that is not a registry one is named for what it is.
import * as z from 'zod';
import { SpkError } from './errors.ts';
import { packageNameProblems } from './package-name.ts';
import { isRegistryType, readArgument, readSpec, type RegistrySpecType, type SpecReading } from './spec-reading.ts';
import { REGISTRY_SPECS_ONLY, specKindLabel } from './spec-kind-label.ts';

export type { RegistrySpecType } from './spec-reading.ts';

/** The kind of a non-registry reading ("a git spec (GitHub)"), or null for a registry or unusable one. */
function otherKind(reading: SpecReading): string | null {
  if (reading.type === 'invalid' || isRegistryType(reading.type)) return null;
  return specKindLabel(reading.type, 'host' in reading ? reading.host : undefined);
}

/**
 * The kind of a spec npm would fetch from somewhere other than the registry (`"a git spec"`,
 * `"a tarball URL spec"`, …), or null for a registry spec or something npm cannot parse at all.
 */
export function nonRegistrySpecKind(spec: string): string | null {
  return otherKind(readArgument(spec));
}

/**
 * Returns a problem description, or null when `name` is a valid npm package name: valid for new
 * packages, or valid only for legacy ones (upper case, `~'!()*`, a core module's name; see
 * `legacyNameReason` in `@spk/common/node`), which the backend accepts only when the registry has
 * the package.
 */
export function checkPackageName(name: string): string | null {
  const { errors, legacyWarnings } = packageNameProblems(name);
  if (errors.length === 0) return null;
  const kind = nonRegistrySpecKind(name);
  if (kind) return `"${name}" is ${kind}, not a package name; ${REGISTRY_SPECS_ONLY}`;
  return `"${name}" is not a valid npm package name: ${[...errors, ...legacyWarnings].join('; ')}`;
}

/** Whether npm reads `range` as a semver range, an exact version or a dist-tag; null for anything else. */
export function registrySpecType(name: string, range: string): RegistrySpecType | null {
  const { type } = readSpec(name, range);
  return isRegistryType(type) ? type : null;
}

/** Returns a problem description, or null when `range` is a registry range, version or dist-tag. */
export function checkPackageRange(name: string, range: string): string | null {
  const reading = readSpec(name, range);
  if (reading.type === 'invalid') return `"${range}" is not a valid version range for ${name}: ${reading.reason}`;
  const kind = otherKind(reading);
  return kind ? `"${range}" is ${kind}; ${REGISTRY_SPECS_ONLY}` : null;
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
