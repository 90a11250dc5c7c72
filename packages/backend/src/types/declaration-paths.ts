// Where TypeScript looks for the declarations of a path or package-manifest target, as pure
// functions of strings: `./x.js` -> `./x.d.ts`, `./x` -> `x.d.ts`/`x/index.d.ts`, the targets of
// `exports`/`imports`/`typesVersions` (with their conditions and `*` patterns). No I/O, so each
// rule is tested on its own; the closure walk checks which candidates exist.
import path from 'node:path';
import semver from 'semver';
import ts from 'typescript';

export const DECLARATION_FILE = /\.d\.[mc]?ts$/;

const SCRIPT_EXTENSION = /\.([mc]?)(?:js|ts)x?$/;

/** Declaration files a module path may name, most likely first. */
export function declarationCandidates(target: string): string[] {
  if (DECLARATION_FILE.test(target)) return [target];
  const script = SCRIPT_EXTENSION.exec(target);
  if (script) return [`${target.slice(0, -script[0].length)}.d.${script[1] ?? ''}ts`];
  return [`${target}.d.ts`, `${target}.d.mts`, `${target}.d.cts`, `${target}/index.d.ts`, `${target}/index.d.mts`, `${target}/index.d.cts`];
}

/** For a `*` pattern's tail (`.js`, `.d.ts`, ``), the tails of the declaration files it stands for. */
export function declarationSuffixes(suffix: string): string[] {
  if (DECLARATION_FILE.test(suffix)) return [suffix];
  if (suffix === '' || suffix === '/') return ['.d.ts', '.d.mts', '.d.cts'].map((ext) => (suffix === '/' ? `/index${ext}` : ext));
  const script = SCRIPT_EXTENSION.exec(suffix);
  return script ? [`${suffix.slice(0, -script[0].length)}.d.${script[1] ?? ''}ts`] : [];
}

/**
 * `relative` joined onto `from` (default: the package dir itself), or null when it is absolute or
 * its `..` segments leave the package: a declaration file never pulls in anything outside its own
 * package by path.
 */
export function withinPackage(pkgDir: string, relative: string, from = pkgDir): string | null {
  if (relative.startsWith('/') || /^[a-zA-Z]:/.test(relative) || relative.includes('\\') || relative.includes('\0')) return null;
  const joined = path.posix.normalize(path.posix.join(from, relative)).replace(/\/$/, '');
  return joined === pkgDir || joined.startsWith(`${pkgDir}/`) ? joined : null;
}

/** The node_modules directories a bare specifier is looked up in from a logical dir, nearest first (Node's walk, never above the tree root). */
export function nodeModulesLookups(fromDir: string): string[] {
  const parts = fromDir === '' ? [] : fromDir.split('/');
  const lookups: string[] = [];
  for (let i = parts.length; i >= 0; i--) {
    if (i > 0 && parts[i - 1] === 'node_modules') continue;
    lookups.push([...parts.slice(0, i), 'node_modules'].join('/'));
  }
  return lookups;
}

/** `types@<range>` conditions whose range leaves out the TypeScript we ship: TypeScript skips their branch, so do we. */
function isForeignTypesCondition(key: string): boolean {
  if (!key.startsWith('types@')) return false;
  const range = semver.validRange(key.slice('types@'.length));
  return range === null || !semver.satisfies(ts.version, range);
}

/**
 * How deep `exports`/`imports` values are followed (subpath, conditions, fallback arrays): real
 * packages nest a handful of levels; what lies deeper is ignored, so a hostile package.json nested
 * thousands deep never overflows the stack.
 */
export const MAX_CONDITION_DEPTH = 32;

/** `value` with every array or object nested deeper than `maxDepth` left out (a copy; shallow values as they are). */
export function withinDepth(value: unknown, maxDepth = MAX_CONDITION_DEPTH): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (maxDepth <= 0) return undefined;
  if (Array.isArray(value)) return value.map((item) => withinDepth(item, maxDepth - 1)).filter((item) => item !== undefined);
  return Object.fromEntries(
    Object.entries(value)
      .map(([key, nested]) => [key, withinDepth(nested, maxDepth - 1)] as const)
      .filter(([, nested]) => nested !== undefined),
  );
}

/**
 * Every target in an `exports`/`imports` value: subpaths, nested conditions (the `types` ones and
 * the others, whose declaration siblings TypeScript also finds), fallback arrays; `null` exclusions
 * skipped, and nothing below MAX_CONDITION_DEPTH.
 */
export function conditionTargets(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') out.push(value);
  else if (depth >= MAX_CONDITION_DEPTH) return out;
  else if (Array.isArray(value)) for (const item of value) conditionTargets(item, out, depth + 1);
  else if (value !== null && typeof value === 'object') {
    for (const [key, nested] of Object.entries(value)) if (!isForeignTypesCondition(key)) conditionTargets(nested, out, depth + 1);
  }
  return out;
}

/** The value of the `imports` entry a `#specifier` selects: an exact key, else the longest matching `*` pattern. */
export function importsEntry(imports: Record<string, unknown>, specifier: string): unknown {
  if (Object.hasOwn(imports, specifier) && !specifier.includes('*')) return imports[specifier];
  let best: { prefix: string; value: unknown } | null = null;
  for (const [key, value] of Object.entries(imports)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (specifier.startsWith(prefix) && specifier.endsWith(suffix) && specifier.length >= key.length - 1 && (!best || prefix.length > best.prefix.length)) {
      // Substitute the matched part into every string target so the caller resolves plain paths.
      const matched = specifier.slice(prefix.length, specifier.length - suffix.length);
      best = { prefix, value: substitute(value, matched) };
    }
  }
  return best?.value;
}

/** `value` with `*` replaced by `matched` in every string target; what lies below MAX_CONDITION_DEPTH is left out. */
function substitute(value: unknown, matched: string, depth = 0): unknown {
  if (typeof value === 'string') return value.replaceAll('*', matched);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_CONDITION_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((item) => substitute(item, matched, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, matched, depth + 1)]));
}

/** The `typesVersions` mapping that applies to the TypeScript we ship (`ts.versionMajorMinor`), as TypeScript picks it: the first matching range. */
export function typesVersionsMapping(typesVersions: unknown): Record<string, string[]> | null {
  if (typesVersions === null || typeof typesVersions !== 'object' || Array.isArray(typesVersions)) return null;
  const ours = `${ts.versionMajorMinor}.0`;
  for (const [range, mapping] of Object.entries(typesVersions)) {
    const valid = semver.validRange(range);
    if (valid === null || !semver.satisfies(ours, valid)) continue;
    if (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping)) return null;
    return Object.fromEntries(
      Object.entries(mapping as Record<string, unknown>).map(([key, targets]) => [key, Array.isArray(targets) ? targets.filter((t): t is string => typeof t === 'string') : []]),
    );
  }
  return null;
}

/** A `*` pattern split at its star (only the first star counts, as in Node and TypeScript). */
export function splitPattern(pattern: string): { prefix: string; suffix: string } | null {
  const star = pattern.indexOf('*');
  return star < 0 ? null : { prefix: pattern.slice(0, star), suffix: pattern.slice(star + 1) };
}
