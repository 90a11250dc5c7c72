// Resolves the declared set into npm's ideal tree with Arborist, in a scratch project under the
// data dir. Only metadata is fetched here; no install script ever runs. When packages are added for
// the script editor's types, they are chosen from the first tree and the tree is built once more.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Arborist from '@npmcli/arborist';
import ssri from 'ssri';
import { z } from 'zod';
import { redactUrlCredentials, SpkError } from '@spk/common';
import { noMatchingVersionText, proposedRange } from '../registry/available-versions.ts';
import { isTimeout, timeoutText, UNREACHABLE_CODES, type NpmError } from '../registry/npm-errors.ts';
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
}

type PackumentCache = NonNullable<Arborist.Options['packumentCache']>;

export interface ResolveInput {
  packages: Array<{ name: string; range: string }>;
  scratchDir: string;
  npmOptions: Record<string, unknown>;
  /** Adding packages for the script editor's types; without it the declared set is resolved as is. */
  types?: TypesStep;
}

export interface TypesStep {
  /**
   * Root dependencies to add, chosen from the first tree's top level (`packumentCache` is the
   * resolve's, so lookups feed the second pass). None: the first tree stands.
   */
  plan(topLevel: TopLevelPackage[], packumentCache: PackumentCache): Promise<TypesAddition[]>;
  /** The tree with the additions could not be built (they are optional): the first tree stands. */
  rebuildFailed(error: SpkError, additions: readonly TypesAddition[]): void;
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

async function buildIdealTree(input: ResolveInput, dependencies: Record<string, string>, packumentCache?: PackumentCache) {
  await writeFile(
    path.join(input.scratchDir, 'package.json'),
    JSON.stringify({ name: 'spk-install-scratch', version: '0.0.0', private: true, dependencies }),
  );
  const arborist = new Arborist({
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
  try {
    return { tree: await arborist.buildIdealTree({}), packumentCache: arborist.options.packumentCache };
  } catch (error) {
    throw toResolveError(error, input.npmOptions, input.packages);
  }
}

function topLevelOf(tree: IdealTree): TopLevelPackage[] {
  return [...tree.children.values()]
    .filter((node) => !node.isLink && node.location === `node_modules/${node.packageName}`)
    .map((node) => ({ name: node.packageName, version: node.version, manifest: node.package }));
}

export async function resolveTree(input: ResolveInput): Promise<ResolvedNode[]> {
  const declared = Object.fromEntries(input.packages.map((p) => [p.name, p.range]));
  const first = await buildIdealTree(input, declared);
  let tree = first.tree;
  const addedPaths = new Map<string, string>();
  const additions = input.types ? await input.types.plan(topLevelOf(tree), first.packumentCache) : [];
  if (additions.length > 0) {
    const withTypes = { ...declared, ...Object.fromEntries(additions.map((a) => [a.name, a.version])) };
    try {
      tree = (await buildIdealTree(input, withTypes, first.packumentCache)).tree;
      for (const a of additions) addedPaths.set(`node_modules/${a.name}`, a.name);
    } catch (error) {
      (input.npmOptions.signal as AbortSignal | undefined)?.throwIfAborted();
      input.types!.rebuildFailed(toResolveError(error, input.npmOptions, input.packages), additions);
    }
  }
  const nodes: ResolvedNode[] = [];
  for (const node of tree.inventory.values()) {
    if (node.isProjectRoot || node.inBundle || node.isLink) continue;
    const integrity = node.integrity ?? null;
    if (!node.resolved) {
      throw new SpkError('RESOLVE_FAILED', `${node.packageName}@${node.version} resolved to no tarball URL; only registry packages can be installed`);
    }
    const pkg = node.package as { bin?: unknown; dependencies?: Record<string, string> };
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
    });
  }
  return nodes.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/**
 * npm's error codes become ours, with a message that says what to do. Never includes options, and
 * any URL credentials in the registry URL or npm's own message are redacted. `declared` (the
 * declared names) lets a version refusal say which range to change.
 */
export function toResolveError(error: unknown, npmOptions: Record<string, unknown>, declared: ReadonlyArray<{ name: string }> = []): SpkError {
  if (error instanceof SpkError) return error;
  const registry = redactUrlCredentials(String(npmOptions.registry));
  const mapped = mapNpmError(error as NpmError, registry, npmOptions.timeout, new Set(declared.map((d) => d.name)));
  return new SpkError(mapped.code, redactUrlCredentials(mapped.message), mapped.details, { cause: error });
}

const stringList = z.array(z.string()).catch([]);
const tagMap = z.record(z.string(), z.string()).catch({});

/** ETARGET from npm-pick-manifest carries the package, the spec and what the packument offers. */
function noMatchingVersion(e: NpmError, registry: string, declared: ReadonlySet<string>): Pick<SpkError, 'code' | 'message' | 'details'> {
  const name = e.name ?? 'a package';
  const range = e.wanted ?? '?';
  const available = { versions: stringList.parse(e.versions), distTags: tagMap.parse(e.distTags) };
  const proposal = proposedRange(available);
  const advice = declared.has(name)
    ? `change its declared range with "spk packages set ${name}@${proposal ?? '<range>'}"`
    : `${name} is a dependency of a declared package: change that package's range (spk packages set), or declare ${name} at a range that exists`;
  return {
    code: 'NO_MATCHING_VERSION',
    message: `${noMatchingVersionText(name, range, registry, available)}; ${advice}`,
    details: { npmCode: 'ETARGET', name, range, distTags: available.distTags },
  };
}

function mapNpmError(e: NpmError, registry: string, timeout: unknown, declared: ReadonlySet<string>): Pick<SpkError, 'code' | 'message' | 'details'> {
  const what = e.pkgid ?? 'a package';
  const details = { npmCode: e.code ?? null };
  if (isTimeout(e)) {
    return {
      code: 'REGISTRY_UNREACHABLE',
      message: `a request to the registry ${registry} for ${what} timed out (no answer${timeoutText(timeout)}); check the registry and the network, or raise the registry request timeout`,
      details,
    };
  }
  if (e.code && UNREACHABLE_CODES.has(e.code)) {
    return { code: 'REGISTRY_UNREACHABLE', message: `the registry ${registry} could not be reached (${e.code}); check the registry URL and the network`, details };
  }
  switch (e.code) {
    case 'E404':
      return { code: 'PACKAGE_NOT_FOUND', message: `${what} was not found in the registry ${registry}; check the name, or the registry settings for private packages`, details };
    case 'ETARGET':
      return noMatchingVersion(e, registry, declared);
    case 'E401':
    case 'E403':
      return { code: 'RESOLVE_FAILED', message: `the registry ${registry} refused access to ${what} (${e.code}); set a valid token with "spk registry set"`, details };
    case 'EINTEGRITY':
      return { code: 'INTEGRITY_MISMATCH', message: `a tarball from ${registry} did not match its published integrity; it was refused and nothing was published`, details };
    case 'ERESOLVE':
      return { code: 'RESOLVE_FAILED', message: `the declared packages have conflicting peer dependencies: ${firstLine(e.message)}`, details };
    default:
      return { code: 'RESOLVE_FAILED', message: `resolving the package set failed (${e.code ?? 'unknown error'}): ${firstLine(e.message)}`, details };
  }
}

function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0]!.slice(0, 300);
}
