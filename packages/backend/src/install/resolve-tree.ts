// Resolves the declared set into npm's ideal tree with Arborist, in a scratch project under the
// data dir. Only metadata is fetched here; no install script ever runs. Packages added for the
// script editor's types join in two steps: `@types/node` is chosen before the first resolve and
// resolved with the declared set; `@types/*` companions are chosen from the first tree, and only
// when there are some is the tree built once more.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Arborist from '@npmcli/arborist';
import ssri from 'ssri';
import { SpkError } from '@spk/common';
import { toResolveError, type RegistryNaming } from './npm-error-mapping.ts';
import type { TopLevelPackage, TypesAddition } from './types-companions.ts';

export interface ResolvedNode {
  name: string;
  version: string;
  path: string;
  /** As published; may be a sha1-only legacy integrity, in which case we compute sha512 after fetching. */
  registryIntegrity: string | null;
  sha512: string | null;
  resolved: string;
  hasInstallScript: boolean;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  /** Not declared: added at the top level so the script editor has types. */
  addedForTypes?: true;
  /** The registry's deprecation message for this version, when it has one. */
  deprecated?: string;
}

type PackumentCache = NonNullable<Arborist.Options['packumentCache']>;

export interface ResolveInput {
  packages: Array<{ name: string; range: string }>;
  scratchDir: string;
  npmOptions: Record<string, unknown>;
  /** The registries and timeout `npmOptions` were built from: an error names the registry that failed. */
  registries: RegistryNaming;
  /** Adding packages for the script editor's types; without it the declared set is resolved as is. */
  types?: TypesStep;
  /** Where every pass and the types step get package documents (an install's packument session); default: Arborist's own. */
  packumentCache?: PackumentCache;
}

/**
 * The optional types step. Its lookups go through `packumentCache`, the resolve's own, so Arborist
 * reads what they fetched from memory. A plan that throws (unless the install is being stopped)
 * is reported through `planFailed` and counts as no additions.
 */
export interface TypesStep {
  /** Before the first resolve: additions that need no tree (`@types/node` of the hosts' major). */
  beforeResolve(packumentCache: PackumentCache): Promise<TypesAddition[]>;
  /** From the first tree's top level: the companions to add. None: the first tree stands. */
  plan(topLevel: TopLevelPackage[], packumentCache: PackumentCache): Promise<TypesAddition[]>;
  planFailed(error: unknown): void;
  /** A tree with these additions could not be built (they are optional): they are left out. */
  rebuildFailed(error: SpkError, additions: readonly TypesAddition[]): void;
}

export interface ResolveResult {
  nodes: ResolvedNode[];
  /** How many times Arborist built an ideal tree (1 unless companions were added or an addition failed). */
  passes: number;
}

type IdealTree = Awaited<ReturnType<Arborist['buildIdealTree']>>;

function normalizeBin(name: string, bin: unknown): Record<string, string> {
  if (typeof bin === 'string') return { [name.startsWith('@') ? name.split('/')[1]! : name]: bin };
  if (bin && typeof bin === 'object') {
    return Object.fromEntries(Object.entries(bin as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
  return {};
}

function sha512Of(integrity: string | null): string | null {
  if (!integrity) return null;
  const parsed = ssri.parse(integrity);
  const hash = parsed.sha512?.[0];
  return hash ? hash.toString() : null;
}

function newArborist(input: ResolveInput, packumentCache?: PackumentCache): Arborist {
  return new Arborist({
    ...input.npmOptions,
    path: input.scratchDir,
    cache: path.join(input.scratchDir, '.npm-cache'),
    ignoreScripts: true,
    audit: false,
    fund: false,
    packageLock: false,
    preferOnline: true,
    ...(packumentCache ? { packumentCache } : {}),
  });
}

function topLevelOf(tree: IdealTree): TopLevelPackage[] {
  return [...tree.children.values()]
    .filter((node) => !node.isLink && node.location === `node_modules/${node.packageName}`)
    .map((node) => ({ name: node.packageName, version: node.version, manifest: node.package }));
}

const asDependencies = (additions: readonly TypesAddition[]) => Object.fromEntries(additions.map((a) => [a.name, a.version]));

export async function resolveTree(input: ResolveInput): Promise<ResolveResult> {
  const declared = Object.fromEntries(input.packages.map((p) => [p.name, p.range]));
  const signal = input.npmOptions.signal as AbortSignal | undefined;
  let passes = 0;
  const build = async (arborist: Arborist, dependencies: Record<string, string>): Promise<IdealTree> => {
    passes++;
    await writeFile(
      path.join(input.scratchDir, 'package.json'),
      JSON.stringify({ name: 'spk-install-scratch', version: '0.0.0', private: true, dependencies }),
    );
    try {
      return await arborist.buildIdealTree({});
    } catch (error) {
      throw toResolveError(error, input.registries, input.packages);
    }
  };
  // The types step is optional: whatever it throws costs the additions, not the install, unless the install is being stopped.
  const optional = async (step: () => Promise<TypesAddition[]>): Promise<TypesAddition[]> => {
    try {
      return await step();
    } catch (error) {
      signal?.throwIfAborted();
      input.types!.planFailed(error);
      return [];
    }
  };

  // The packument cache every lookup and pass shares: the caller's, else the first pass's Arborist's.
  const firstArborist = newArborist(input, input.packumentCache);
  const packumentCache = firstArborist.options.packumentCache;
  let added = input.types ? await optional(() => input.types!.beforeResolve(packumentCache)) : [];
  let tree: IdealTree;
  try {
    tree = await build(firstArborist, { ...declared, ...asDependencies(added) });
  } catch (error) {
    if (added.length === 0) throw error;
    signal?.throwIfAborted();
    // Without them it may resolve; if it does not either, that failure is the declared set's own.
    tree = await build(newArborist(input, packumentCache), declared);
    input.types!.rebuildFailed(toResolveError(error, input.registries, input.packages), added);
    added = [];
  }
  const companions = input.types ? await optional(() => input.types!.plan(topLevelOf(tree), packumentCache)) : [];
  if (companions.length > 0) {
    try {
      tree = await build(newArborist(input, packumentCache), { ...declared, ...asDependencies(added), ...asDependencies(companions) });
      added = [...added, ...companions];
    } catch (error) {
      signal?.throwIfAborted();
      input.types!.rebuildFailed(toResolveError(error, input.registries, input.packages), companions);
    }
  }
  const addedPaths = new Map(added.map((a) => [`node_modules/${a.name}`, a.name]));

  const nodes: ResolvedNode[] = [];
  for (const node of tree.inventory.values()) {
    if (node.isProjectRoot || node.inBundle || node.isLink) continue;
    const integrity = node.integrity ?? null;
    if (!node.resolved) {
      throw new SpkError('RESOLVE_FAILED', `${node.packageName}@${node.version} resolved to no tarball URL; only registry packages can be installed`);
    }
    const pkg = node.package as { bin?: unknown; dependencies?: Record<string, string>; deprecated?: unknown };
    nodes.push({
      name: node.packageName,
      version: node.version,
      path: node.location,
      registryIntegrity: integrity,
      sha512: sha512Of(integrity),
      resolved: node.resolved,
      hasInstallScript: node.hasInstallScript,
      bin: normalizeBin(node.packageName, pkg.bin),
      dependencies: { ...(pkg.dependencies ?? {}) },
      ...(addedPaths.get(node.location) === node.packageName ? { addedForTypes: true as const } : {}),
      // npm writes `deprecated: false` in some packuments to mean "not deprecated".
      ...(typeof pkg.deprecated === 'string' && pkg.deprecated !== '' ? { deprecated: pkg.deprecated } : {}),
    });
  }
  return { nodes: nodes.sort((a, b) => (a.path < b.path ? -1 : 1)), passes };
}
