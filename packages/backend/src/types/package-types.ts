// One package's declaration entry points, read from its package.json the way TypeScript reads it:
// `types`/`typings`, every target of `exports` (their declaration siblings), the `typesVersions`
// mapping for the TypeScript we ship, `main`'s declaration sibling and the `index.d.ts` fallback.
// Also the package.json as served to editors, trimmed to the fields TypeScript reads.
import { mapConcurrent } from '@spk/reconciler';
import { z } from 'zod';
import { conditionTargets, declarationCandidates, declarationSuffixes, splitPattern, typesVersionsMapping, withinPackage } from './declaration-paths.ts';
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

/** The package at a logical dir, or null when it has no readable package.json. */
export async function readPackage(files: TreeFiles, dir: string): Promise<PackageInfo | null> {
  const text = await files.read(`${dir}/package.json`);
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = packageJsonSchema.safeParse(raw);
  if (!parsed.success) return null;
  const source = raw as Record<string, unknown>;
  const trimmed = Object.fromEntries(TYPE_FIELDS.filter((field) => source[field] !== undefined).map((field) => [field, source[field]]));
  return { dir, json: parsed.data, trimmed: JSON.stringify(trimmed) };
}

async function firstFile(files: TreeFiles, candidates: readonly string[]): Promise<string | null> {
  for (const candidate of candidates) if ((await files.kind(candidate)) === 'file') return candidate;
  return null;
}

/**
 * The declaration file a module path (`<root>/dist/x.js`, `<root>/lib`) stands for, trying the
 * declaration extensions, `/index.d.ts`, and a directory's own package.json; never leaving `root`.
 */
export async function resolveModulePath(files: TreeFiles, root: string, target: string): Promise<string | null> {
  const direct = await firstFile(files, declarationCandidates(target));
  if (direct !== null || (await files.kind(target)) !== 'dir') return direct;
  const nested = await readPackage(files, target);
  const field = nested?.json.types ?? nested?.json.typings ?? nested?.json.main;
  if (field === undefined) return null;
  const inner = withinPackage(target, field);
  return inner !== null && (inner === root || inner.startsWith(`${root}/`)) ? firstFile(files, declarationCandidates(inner)) : null;
}

/** Declaration files matching a `*` target (`./dist/*.js`, `ts4.2/*`) inside the package. */
async function patternFiles(files: TreeFiles, pkgDir: string, target: string): Promise<string[]> {
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
    .map((rel) => `${pkgDir}/${rel}`);
}

/** The one declaration file a plain package-relative path resolves to, if any. */
async function plainTarget(files: TreeFiles, pkgDir: string, target: string): Promise<string[]> {
  const inside = withinPackage(pkgDir, target);
  const found = inside === null ? null : await resolveModulePath(files, pkgDir, inside);
  return found === null ? [] : [found];
}

/** The declaration files one manifest target names: a `*` pattern's matches, or the one file a plain path resolves to. */
export function targetFiles(files: TreeFiles, pkgDir: string, target: string): Promise<string[]> {
  return target.includes('*') ? patternFiles(files, pkgDir, target) : plainTarget(files, pkgDir, target);
}

/** Targets resolved at once: a package may list hundreds of subpaths, each a few lookups. */
const RESOLVE_CONCURRENCY = 32;

/** Every declaration entry point of a package, in the order TypeScript would prefer them, each once. */
export async function packageEntries(files: TreeFiles, pkg: PackageInfo): Promise<string[]> {
  const declared = pkg.json.types ?? pkg.json.typings;
  const own = declared === undefined ? [] : await plainTarget(files, pkg.dir, declared);
  // Node only accepts `./`-relative export targets; anything else is ignored.
  const targets = conditionTargets(pkg.json.exports).filter((target) => target.startsWith('./'));
  for (const mapped of Object.values(typesVersionsMapping(pkg.json.typesVersions) ?? {})) targets.push(...mapped);
  const resolved = await mapConcurrent(targets, RESOLVE_CONCURRENCY, (target) => targetFiles(files, pkg.dir, target));
  let fallback: string[] = [];
  if (own.length === 0) {
    const main = pkg.json.main === undefined ? [] : await plainTarget(files, pkg.dir, pkg.json.main);
    fallback = main.length > 0 ? main : await plainTarget(files, pkg.dir, 'index.d.ts');
  }
  return [...new Set([...own, ...resolved.flat(), ...fallback])];
}
