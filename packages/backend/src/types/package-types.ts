// One package's declaration entry points, read from its package.json the way TypeScript reads it:
// `types`/`typings`, every target of `exports` (their declaration siblings), the `typesVersions`
// mapping for the TypeScript we ship, `main`'s declaration sibling and the `index.d.ts` fallback.
// Also the package.json as served to editors, trimmed to the fields TypeScript reads.
import { mapConcurrent } from '@spk/reconciler';
import { z } from 'zod';
import { conditionTargets, declarationCandidates, declarationSuffixes, MAX_CONDITION_DEPTH, splitPattern, typesVersionsMapping, withinDepth, withinPackage } from './declaration-paths.ts';
import type { TreeFiles } from './tree-files.ts';

/** The package.json fields TypeScript's module resolution reads; everything else is left out of the served copy. */
export const TYPE_FIELDS = ['name', 'version', 'types', 'typings', 'typesVersions', 'exports', 'imports', 'main', 'type'] as const;

// Fields of the wrong type are ignored (TypeScript ignores them too); they never fail the closure.
const optionalString = z.unknown().optional().transform((value) => (typeof value === 'string' ? value : undefined));
const optionalRecord = z.unknown().optional().transform((value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined,
);
const packageJsonSchema = z.object({
  name: optionalString,
  version: optionalString,
  types: optionalString,
  typings: optionalString,
  main: optionalString,
  type: optionalString,
  exports: z.unknown().optional(),
  imports: optionalRecord,
  typesVersions: z.unknown().optional(),
});
export type PackageJson = z.infer<typeof packageJsonSchema>;

export interface PackageInfo {
  /** Logical tree path of the package directory. */
  dir: string;
  json: PackageJson;
  /** The trimmed package.json as served. */
  trimmed: string;
}

/**
 * A file a module path leads to: a declaration file, or the package.json of a directory on the way
 * (its `types` chose the declaration file), served trimmed (`content`) so the editor's TypeScript
 * takes the same way.
 */
export interface FoundFile {
  path: string;
  content?: string;
}

/** The package.json in a logical dir (a package's, or a sub-directory's), or null when there is none readable. */
export async function readPackage(files: TreeFiles, dir: string): Promise<PackageInfo | null> {
  const text = await files.read(`${dir}/package.json`);
  if (text === null) return null;
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsedJson === null || typeof parsedJson !== 'object' || Array.isArray(parsedJson)) return null;
  // Field values nested deeper than anything TypeScript follows are dropped here, once: what follows never recurses without bound.
  const source = Object.fromEntries(TYPE_FIELDS.filter((field) => Object.hasOwn(parsedJson, field)).map((field) => [field, (parsedJson as Record<string, unknown>)[field]]));
  const trimmed = withinDepth(source, MAX_CONDITION_DEPTH + 1) as Record<string, unknown>;
  const parsed = packageJsonSchema.safeParse(trimmed);
  if (!parsed.success) return null;
  return { dir, json: parsed.data, trimmed: JSON.stringify(servedFields(trimmed)) };
}

/**
 * The closure follows the `typesVersions` branch of the TypeScript we ship; the editor may run an
 * older one, which would pick a branch that was never served. So the served package.json keeps
 * only the chosen branch, for every version (`"*"`), or none when no branch applies.
 */
function servedFields(fields: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(fields, 'typesVersions')) return fields;
  const { typesVersions, ...rest } = fields;
  const mapping = typesVersionsMapping(typesVersions);
  return mapping === null ? rest : { ...rest, typesVersions: { '*': mapping } };
}

async function firstFile(files: TreeFiles, candidates: readonly string[]): Promise<string | null> {
  for (const candidate of candidates) if ((await files.kind(candidate)) === 'file') return candidate;
  return null;
}

/**
 * What a module path (`<root>/dist/x.js`, `<root>/lib`) stands for, in TypeScript's order: a
 * declaration file next to it; for a directory, what its own package.json's `types`/`typings`/`main`
 * names (anywhere inside the package `root`, with that package.json), else its `index.d.ts`. Empty
 * when nothing; never leaves `root`.
 */
export async function resolveModulePath(files: TreeFiles, root: string, target: string): Promise<FoundFile[]> {
  const candidates = declarationCandidates(target);
  const asIndex = candidates.filter((candidate) => candidate.startsWith(`${target}/`));
  const direct = await firstFile(files, candidates.filter((candidate) => !asIndex.includes(candidate)));
  if (direct !== null) return [{ path: direct }];
  if (asIndex.length === 0 || (await files.kind(target)) !== 'dir') return [];
  const nested = await readPackage(files, target);
  const field = nested?.json.types ?? nested?.json.typings ?? nested?.json.main;
  // The field is relative to the sub-directory but may lead anywhere inside the package (`../dist/sub.d.ts`).
  const inner = nested && field !== undefined ? withinPackage(root, field, target) : null;
  const chosen = inner === null ? null : await firstFile(files, declarationCandidates(inner));
  if (chosen !== null) return [{ path: `${target}/package.json`, content: nested!.trimmed }, { path: chosen }];
  const index = await firstFile(files, asIndex);
  return index === null ? [] : [{ path: index }];
}

/** Declaration files matching a `*` target (`./dist/*.js`, `ts4.2/*`) inside the package (at most what one listing holds, see DEFAULT_LIST_LIMITS). */
async function patternFiles(files: TreeFiles, pkgDir: string, target: string): Promise<FoundFile[]> {
  const pattern = splitPattern(target.replace(/^\.\//, ''));
  if (!pattern || pattern.prefix.split('/').some((segment) => segment === '..' || segment === '.')) return [];
  const suffixes = declarationSuffixes(pattern.suffix);
  if (suffixes.length === 0) return [];
  const cut = pattern.prefix.lastIndexOf('/');
  const listRel = cut < 0 ? '' : pattern.prefix.slice(0, cut);
  const listDir = listRel === '' ? pkgDir : withinPackage(pkgDir, listRel);
  if (listDir === null) return [];
  const listed = await files.list(listDir);
  return listed
    .map((file) => (listRel === '' ? file : `${listRel}/${file}`))
    .filter((rel) => rel.startsWith(pattern.prefix) && suffixes.some((suffix) => rel.endsWith(suffix) && rel.length > pattern.prefix.length + suffix.length - 1))
    .map((rel) => ({ path: `${pkgDir}/${rel}` }));
}

/** What a plain package-relative path resolves to, if anything. */
function plainTarget(files: TreeFiles, pkgDir: string, target: string): Promise<FoundFile[]> {
  const inside = withinPackage(pkgDir, target);
  return inside === null ? Promise.resolve([]) : resolveModulePath(files, pkgDir, inside);
}

/** The files one manifest target names: a `*` pattern's matches, or what a plain path resolves to. */
export function targetFiles(files: TreeFiles, pkgDir: string, target: string): Promise<FoundFile[]> {
  return target.includes('*') ? patternFiles(files, pkgDir, target) : plainTarget(files, pkgDir, target);
}

/** Targets resolved at once: a package may list hundreds of subpaths, each a few lookups. */
const RESOLVE_CONCURRENCY = 32;

/** Every declaration entry point of a package (with the sub-directory package.json files on the way), in the order TypeScript would prefer them, each once. */
export async function packageEntries(files: TreeFiles, pkg: PackageInfo): Promise<FoundFile[]> {
  const declared = pkg.json.types ?? pkg.json.typings;
  const own = declared === undefined ? [] : await plainTarget(files, pkg.dir, declared);
  // Node only accepts `./`-relative export targets; anything else is ignored.
  const targets = conditionTargets(pkg.json.exports).filter((target) => target.startsWith('./'));
  for (const mapped of Object.values(typesVersionsMapping(pkg.json.typesVersions) ?? {})) targets.push(...mapped);
  const resolved = await mapConcurrent(targets, RESOLVE_CONCURRENCY, (target) => targetFiles(files, pkg.dir, target));
  let fallback: FoundFile[] = [];
  if (own.length === 0) {
    const main = pkg.json.main === undefined ? [] : await plainTarget(files, pkg.dir, pkg.json.main);
    fallback = main.length > 0 ? main : await plainTarget(files, pkg.dir, 'index.d.ts');
  }
  const byPath = new Map<string, FoundFile>();
  for (const found of [...own, ...resolved.flat(), ...fallback]) if (!byPath.has(found.path)) byPath.set(found.path, found);
  return [...byPath.values()];
}
