// What one declaration file pulls into a closure: its `/// <reference path|types>` directives,
// relative imports/exports/`import()`/`require()`, `#imports`, and bare imports of other installed
// packages, resolved as TypeScript resolves them from the file's place in the tree (walking up
// node_modules, so a nested version wins). Node built-ins are left to `@types/node`.
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { atTypesName, packageNameOfSpecifier } from '@spk/common';
import ts from 'typescript';
import { conditionTargets, importsEntry, nodeModulesLookups, withinPackage } from './declaration-paths.ts';
import { packageEntries, readPackage, resolveModulePath, targetFiles, type FoundFile, type PackageInfo } from './package-types.ts';
import type { TreeFiles } from './tree-files.ts';

/** One file of a closure, with the package directory it belongs to (relative paths may not leave it). `content` is set for a package.json: its trimmed text, served instead of the file. */
export interface ClosureItem extends FoundFile {
  root: string;
}

export interface TypedPackage {
  info: PackageInfo;
  entries: FoundFile[];
}

export interface TypeReferences {
  /** The package at a logical dir with its declaration entry points; null when no package is there. */
  packageAt(dir: string): Promise<TypedPackage | null>;
  /** A package's package.json and entry points as closure items (empty when it has no types). */
  packageItems(typed: TypedPackage): ClosureItem[];
  /** Everything a declaration file's text refers to, as closure items (possibly already seen). */
  referencesOf(item: ClosureItem, text: string): Promise<ClosureItem[]>;
}

/**
 * @param skipDir A package dir whose types are served on their own (the top-level `@types/node`):
 *   references to it resolve, but add nothing, so not every closure repeats the Node built-ins.
 */
export function createTypeReferences(files: TreeFiles, skipDir: string | null): TypeReferences {
  const packages = new Map<string, Promise<TypedPackage | null>>();

  function packageAt(dir: string): Promise<TypedPackage | null> {
    let found = packages.get(dir);
    if (!found) {
      found = readPackage(files, dir).then(async (info) => (info === null ? null : { info, entries: await packageEntries(files, info) }));
      packages.set(dir, found);
    }
    return found;
  }

  function packageItems({ info, entries }: TypedPackage): ClosureItem[] {
    if (entries.length === 0) return [];
    return [{ path: `${info.dir}/package.json`, root: info.dir, content: info.trimmed }, ...entries.map((entry) => ({ ...entry, root: info.dir }))];
  }

  /** A package's items for `pkg` or `pkg/sub`; null when it has no package there or no types for it. */
  async function typedItems(dir: string, subpath: string): Promise<ClosureItem[] | null> {
    if (dir === skipDir) return (await files.kind(dir)) === 'dir' ? [] : null;
    const typed = await packageAt(dir);
    if (typed === null) return null;
    const items = packageItems(typed);
    // With `exports`, every subpath's declarations are among the entries already.
    if (subpath !== '' && typed.info.json.exports === undefined) {
      const target = withinPackage(dir, subpath);
      const found = target === null ? [] : await resolveModulePath(files, dir, target);
      if (found.length > 0) {
        if (items.length === 0) items.push({ path: `${dir}/package.json`, root: dir, content: typed.info.trimmed });
        items.push(...found.map((file) => ({ ...file, root: dir })));
      }
    }
    return items.length > 0 ? items : null;
  }

  /** Node's walk up node_modules from `fromDir`; at each level the package itself, then its `@types` companion. */
  async function resolveBare(fromDir: string, specifier: string): Promise<ClosureItem[]> {
    const name = packageNameOfSpecifier(specifier);
    if (name === null) return [];
    const subpath = specifier.slice(name.length + 1);
    for (const lookup of nodeModulesLookups(fromDir)) {
      const own = await typedItems(`${lookup}/${name}`, subpath);
      if (own !== null) return own;
      if (!name.startsWith('@types/')) {
        const companion = await typedItems(`${lookup}/${atTypesName(name)}`, subpath);
        if (companion !== null) return companion;
      }
    }
    return [];
  }

  /** `/// <reference types="x">`: the `@types` roots first (walking up), then x's own types. */
  async function resolveTypeReference(fromDir: string, name: string): Promise<ClosureItem[]> {
    const pkgName = packageNameOfSpecifier(name);
    if (pkgName === null) return [];
    if (!pkgName.startsWith('@types/')) {
      for (const lookup of nodeModulesLookups(fromDir)) {
        const found = await typedItems(`${lookup}/${atTypesName(pkgName)}`, name.slice(pkgName.length + 1));
        if (found !== null) return found;
      }
    }
    return resolveBare(fromDir, name);
  }

  async function resolveRelative(item: ClosureItem, specifier: string): Promise<ClosureItem[]> {
    const target = withinPackage(item.root, specifier, path.posix.dirname(item.path));
    const found = target === null ? [] : await resolveModulePath(files, item.root, target);
    return found.map((file) => ({ ...file, root: item.root }));
  }

  /** `#internal` specifiers, through the `imports` field of the file's own package. */
  async function resolveSubpathImport(item: ClosureItem, specifier: string): Promise<ClosureItem[]> {
    const imports = (await packageAt(item.root))?.info.json.imports;
    if (imports === undefined) return [];
    const out: ClosureItem[] = [];
    for (const target of conditionTargets(importsEntry(imports, specifier))) {
      if (target.startsWith('./')) out.push(...(await targetFiles(files, item.root, target)).map((file) => ({ ...file, root: item.root })));
      else if (!isBuiltin(target)) out.push(...(await resolveBare(path.posix.dirname(item.path), target)));
    }
    return out;
  }

  async function resolveImport(item: ClosureItem, specifier: string): Promise<ClosureItem[]> {
    if (specifier.startsWith('.')) return resolveRelative(item, specifier);
    if (specifier.startsWith('#')) return resolveSubpathImport(item, specifier);
    if (isBuiltin(specifier)) return [];
    return resolveBare(path.posix.dirname(item.path), specifier);
  }

  async function referencesOf(item: ClosureItem, text: string): Promise<ClosureItem[]> {
    const info = ts.preProcessFile(text, true, true);
    const fromDir = path.posix.dirname(item.path);
    const found = await Promise.all([
      // `/// <reference path>` is relative to the file even without `./`.
      ...info.referencedFiles.map((ref) => resolveRelative(item, ref.fileName.startsWith('.') ? ref.fileName : `./${ref.fileName}`)),
      ...info.typeReferenceDirectives.map((ref) => resolveTypeReference(fromDir, ref.fileName)),
      ...info.importedFiles.map((ref) => resolveImport(item, ref.fileName)),
    ]);
    return found.flat();
  }

  return { packageAt, packageItems, referencesOf };
}
