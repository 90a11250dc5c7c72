// Resolves the declared set into npm's ideal tree with Arborist, in a scratch project under the
// data dir. Only metadata is fetched here; no install script ever runs.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Arborist from '@npmcli/arborist';
import ssri from 'ssri';
import { SpkError } from '@spk/common';

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
}

export interface ResolveInput {
  packages: Array<{ name: string; range: string }>;
  scratchDir: string;
  npmOptions: Record<string, unknown>;
}

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

export async function resolveTree(input: ResolveInput): Promise<ResolvedNode[]> {
  const dependencies = Object.fromEntries(input.packages.map((p) => [p.name, p.range]));
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
  });
  let tree: Awaited<ReturnType<typeof arborist.buildIdealTree>>;
  try {
    tree = await arborist.buildIdealTree({});
  } catch (error) {
    throw toResolveError(error, input.npmOptions.registry as string);
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
    });
  }
  return nodes.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** npm's error codes become ours, with a message that says what to do. Never includes options. */
export function toResolveError(error: unknown, registry: string): SpkError {
  if (error instanceof SpkError) return error;
  const e = error as { code?: string; message?: string; pkgid?: string; statusCode?: number };
  const what = e.pkgid ?? 'a package';
  switch (e.code) {
    case 'E404':
      return new SpkError('RESOLVE_FAILED', `${what} was not found in the registry ${registry}; check the name, or the registry settings for private packages`, { npmCode: e.code });
    case 'ETARGET':
      return new SpkError('RESOLVE_FAILED', `no version of ${what} matches the declared range; change the range with "spk packages set"`, { npmCode: e.code });
    case 'E401':
    case 'E403':
      return new SpkError('RESOLVE_FAILED', `the registry ${registry} refused access to ${what} (${e.code}); set a valid token with "spk registry set"`, { npmCode: e.code });
    case 'EINTEGRITY':
      return new SpkError('INTEGRITY_MISMATCH', `a tarball from ${registry} did not match its published integrity; it was refused and nothing was published`, { npmCode: e.code });
    case 'ERESOLVE':
      return new SpkError('RESOLVE_FAILED', `the declared packages have conflicting peer dependencies: ${firstLine(e.message)}`, { npmCode: e.code });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EAI_AGAIN':
      return new SpkError('REGISTRY_UNREACHABLE', `the registry ${registry} could not be reached (${e.code}); check the registry URL and the network`, { npmCode: e.code });
    default:
      return new SpkError('RESOLVE_FAILED', `resolving the package set failed (${e.code ?? 'unknown error'}): ${firstLine(e.message)}`, { npmCode: e.code ?? null });
  }
}

function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0]!.slice(0, 300);
}
