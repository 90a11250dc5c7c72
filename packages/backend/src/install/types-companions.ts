// Which packages the installer adds to the declared set so the script editor has types:
// `@types/node` for the hosts' Node major (known before anything is resolved, so it joins the
// first resolve), and the `@types/*` companion of each declared package that ships no
// declarations of its own (known from the first tree). Decisions are pure; the registry comes in
// as `lookup`. Every lookup is optional: a missing package, or a registry that cannot answer, means "none".
import semver from 'semver';
import ts from 'typescript';
import { atTypesName, NODE_TYPES_PACKAGE } from '@spk/common';
import { mapConcurrent } from '@spk/reconciler';
import { errorCode } from '../errors/driver-error.ts';
import type { AvailableVersions } from '../registry/available-versions.ts';
import type { Logger } from '../services.ts';

/** A package at `node_modules/<name>` of the first resolve, with its manifest as the registry published it. */
export interface TopLevelPackage {
  name: string;
  version: string;
  manifest: unknown;
}

export interface TypesAddition {
  name: string;
  /** Exact version, added as a root dependency. */
  version: string;
}

export interface TypesLookup {
  /** The versions and dist-tags the registry has for `name`; null when it has no such package (404). */
  available(name: string): Promise<AvailableVersions | null>;
}

interface LookupContext {
  lookup: TypesLookup;
  logger: Logger;
  /** Told of each lookup that failed (`what` says which and why it was made), for the install's warnings. */
  lookupFailed?(what: string, error: unknown): void;
  /** A lookup that failed because this signal fired is not "none": the install stops. */
  signal?: AbortSignal;
}

export interface PlanNodeTypesInput extends LookupContext {
  /** The enabled declared packages: a declared `@types/node` is the operator's choice and stands. */
  declared: ReadonlyArray<{ name: string }>;
  nodeMajor: number;
}

export interface PlanCompanionsInput extends LookupContext {
  /** The enabled declared packages. */
  declared: ReadonlyArray<{ name: string }>;
  topLevel: readonly TopLevelPackage[];
  concurrency?: number;
}

const AT_TYPES_SCOPE = '@types/';
/** Far deeper than any real `exports` map; a published manifest nested deeper is not walked (it cannot exhaust the stack). */
const MAX_EXPORTS_DEPTH = 32;

/**
 * A `types@<range>` condition counts only when its range admits the TypeScript we ship, as
 * TypeScript itself (which tests its full version) and the closure computation decide.
 */
function typesConditionApplies(key: string): boolean {
  const range = semver.validRange(key.slice('types@'.length));
  return range !== null && semver.satisfies(ts.version, range);
}

/** A `types` condition (or an applicable `types@<range>` one) anywhere in an `exports` map, up to MAX_EXPORTS_DEPTH levels down. */
function exportsDeclareTypes(value: unknown, depth = 0): boolean {
  if (depth > MAX_EXPORTS_DEPTH || !value || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((item) => exportsDeclareTypes(item, depth + 1));
  return Object.entries(value as Record<string, unknown>).some(([key, nested]) =>
    key === 'types' ? true : key.startsWith('types@') ? typesConditionApplies(key) : exportsDeclareTypes(nested, depth + 1),
  );
}

/** Whether a package.json points at its own declarations: `types`, `typings`, `typesVersions`, or a `types` export condition. */
export function declaresOwnTypes(manifest: unknown): boolean {
  if (!manifest || typeof manifest !== 'object') return false;
  const pkg = manifest as Record<string, unknown>;
  const nonEmpty = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  if (nonEmpty(pkg.types) || nonEmpty(pkg.typings)) return true;
  if (pkg.typesVersions && typeof pkg.typesVersions === 'object') return true;
  return exportsDeclareTypes(pkg.exports);
}

function taggedLatest({ versions, distTags }: AvailableVersions): string | null {
  const latest = distTags.latest;
  return latest !== undefined && versions.includes(latest) ? latest : null;
}

/**
 * DefinitelyTyped versions its packages after the library's major.minor: the newest companion in
 * `~major.minor`, else in `major.x`, else whatever `latest` is. Null when the registry offers nothing.
 */
export function chooseCompanionVersion(packageVersion: string, available: AvailableVersions): string | null {
  const parsed = semver.parse(packageVersion, { loose: true });
  if (parsed) {
    for (const range of [`~${parsed.major}.${parsed.minor}.0`, `${parsed.major}.x`]) {
      const best = semver.maxSatisfying([...available.versions], range);
      if (best) return best;
    }
  }
  return taggedLatest(available);
}

/** The newest `@types/node` of the hosts' Node major; null when the registry has none in that major. */
export function chooseNodeTypesVersion(nodeMajor: number, available: AvailableVersions): string | null {
  return semver.maxSatisfying([...available.versions], `${nodeMajor}.x`);
}

/** What the registry offers for `name`; `failed` (logged by code) when it could not answer and the install goes on. */
async function offered(ctx: LookupContext, name: string, purpose: string): Promise<AvailableVersions | null | 'failed'> {
  try {
    return await ctx.lookup.available(name);
  } catch (error) {
    ctx.signal?.throwIfAborted();
    // The code only: npm's messages can carry the registry URL.
    ctx.logger.warn({ package: name, code: errorCode(error) }, `looking up ${name} (types for ${purpose}) failed; installing without it`);
    ctx.lookupFailed?.(`looking up ${name} (types for ${purpose})`, error);
    return 'failed';
  }
}

/**
 * `@types/node` of the hosts' Node major, to resolve with the declared set from the start (it
 * needs no first tree; a dependency asking for `@types/node: "*"` would otherwise leave another
 * major at the top level). Null when the operator declared it or the registry has none in that major.
 */
export async function planNodeTypes(input: PlanNodeTypesInput): Promise<TypesAddition | null> {
  if (input.declared.some((d) => d.name === NODE_TYPES_PACKAGE)) return null;
  const available = await offered(input, NODE_TYPES_PACKAGE, `Node ${input.nodeMajor}`);
  if (available === 'failed') return null;
  const version = available ? chooseNodeTypesVersion(input.nodeMajor, available) : null;
  if (version) return { name: NODE_TYPES_PACKAGE, version };
  input.logger.info(
    { package: NODE_TYPES_PACKAGE, nodeMajor: input.nodeMajor },
    `the registry has no ${NODE_TYPES_PACKAGE}@${input.nodeMajor}.x; the script editor gets no Node built-in types`,
  );
  return null;
}

/** The `@types/*` companions of the untyped declared packages in the first tree; never throws for one that is missing or cannot be looked up. */
export async function planCompanions(input: PlanCompanionsInput): Promise<TypesAddition[]> {
  const declared = new Set(input.declared.map((d) => d.name));
  const atTop = new Map(input.topLevel.map((p) => [p.name, p]));

  const wanted = new Map<string, TopLevelPackage>();
  for (const name of declared) {
    const pkg = atTop.get(name);
    if (!pkg || name.startsWith(AT_TYPES_SCOPE) || declaresOwnTypes(pkg.manifest)) continue;
    const companion = atTypesName(name);
    if (declared.has(companion) || atTop.has(companion) || wanted.has(companion)) continue;
    wanted.set(companion, pkg);
  }

  const additions: TypesAddition[] = [];
  await mapConcurrent([...wanted], input.concurrency ?? 8, async ([companion, pkg]) => {
    const available = await offered(input, companion, `${pkg.name}@${pkg.version}`);
    const version = available && available !== 'failed' ? chooseCompanionVersion(pkg.version, available) : null;
    if (version) additions.push({ name: companion, version });
  });
  return additions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
