// Which packages the installer adds to the declared set so the script editor has types: the
// `@types/*` companion of each declared package that ships no declarations of its own, and
// `@types/node` for the hosts' Node major. Decisions are pure; the registry comes in as `lookup`.
// Every lookup is optional: a missing companion, or a registry that cannot answer, means "none".
import semver from 'semver';
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

export interface PlanTypesInput {
  /** The enabled declared packages. */
  declared: ReadonlyArray<{ name: string }>;
  topLevel: readonly TopLevelPackage[];
  nodeMajor: number;
  lookup: TypesLookup;
  logger: Logger;
  /** A lookup that failed because this signal fired is not "no companion": the install stops. */
  signal?: AbortSignal;
  concurrency?: number;
}

const AT_TYPES_SCOPE = '@types/';

/** A `types` condition (or TypeScript's versioned `types@<range>`) anywhere in an `exports` map. */
function exportsDeclareTypes(exports: unknown): boolean {
  if (Array.isArray(exports)) return exports.some(exportsDeclareTypes);
  if (!exports || typeof exports !== 'object') return false;
  return Object.entries(exports as Record<string, unknown>).some(([key, value]) => key === 'types' || key.startsWith('types@') || exportsDeclareTypes(value));
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

/** The root dependencies to add for types; never throws for a companion that is missing or cannot be looked up. */
export async function planTypeAdditions(input: PlanTypesInput): Promise<TypesAddition[]> {
  const declared = new Set(input.declared.map((d) => d.name));
  const atTop = new Map(input.topLevel.map((p) => [p.name, p]));
  const present = (name: string) => declared.has(name) || atTop.has(name);

  const wanted: Array<{ name: string; choose: (available: AvailableVersions) => string | null; for: string }> = [];
  for (const name of declared) {
    const pkg = atTop.get(name);
    if (!pkg || name.startsWith(AT_TYPES_SCOPE) || declaresOwnTypes(pkg.manifest)) continue;
    const companion = atTypesName(name);
    if (present(companion) || wanted.some((w) => w.name === companion)) continue;
    wanted.push({ name: companion, choose: (available) => chooseCompanionVersion(pkg.version, available), for: `${name}@${pkg.version}` });
  }
  // A dependency asking for `@types/node: "*"` would otherwise leave the newest major at the top
  // level, typing scripts for a Node the hosts do not run: only the operator's own choice stands.
  const nodeTypesAtTop = atTop.get(NODE_TYPES_PACKAGE);
  const nodeTypesFit = nodeTypesAtTop !== undefined && semver.satisfies(nodeTypesAtTop.version, `${input.nodeMajor}.x`);
  if (!declared.has(NODE_TYPES_PACKAGE) && !nodeTypesFit) {
    wanted.push({ name: NODE_TYPES_PACKAGE, choose: (available) => chooseNodeTypesVersion(input.nodeMajor, available), for: `Node ${input.nodeMajor}` });
  }

  const additions: TypesAddition[] = [];
  await mapConcurrent(wanted, input.concurrency ?? 8, async (want) => {
    let available: AvailableVersions | null;
    try {
      available = await input.lookup.available(want.name);
    } catch (error) {
      input.signal?.throwIfAborted();
      // The code only: npm's messages can carry the registry URL.
      input.logger.warn({ package: want.name, code: errorCode(error) }, `looking up ${want.name} (types for ${want.for}) failed; installing without it`);
      return;
    }
    const version = available ? want.choose(available) : null;
    if (version) additions.push({ name: want.name, version });
    else if (want.name === NODE_TYPES_PACKAGE) {
      input.logger.info({ package: want.name, nodeMajor: input.nodeMajor }, `the registry has no ${NODE_TYPES_PACKAGE}@${input.nodeMajor}.x; the script editor gets no Node built-in types`);
    }
  });
  return additions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
