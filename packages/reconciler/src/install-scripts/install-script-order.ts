// The order in which packages' lifecycle scripts run, as npm runs them: every package after the
// packages it depends on, found the way Node finds them (the nearest node_modules upwards from
// the package's own place in the tree). Pure, so ordering and cycles are tested without a disk.
import type { ManifestEntry } from '@spk/common';
import { runsInstallScripts } from './script-packages.ts';

/** The tree path Node would load `name` from when required by the package at `from`; null if none. */
export function resolveDependency(paths: ReadonlySet<string>, from: string, name: string): string | null {
  // node_modules/a/node_modules/b -> its own node_modules, then node_modules/a's, then the root's.
  for (let base = from; ; ) {
    const candidate = `${base}/node_modules/${name}`;
    if (paths.has(candidate)) return candidate;
    const cut = base.lastIndexOf('/node_modules/');
    if (cut < 0) break;
    base = base.slice(0, cut);
  }
  const top = `node_modules/${name}`;
  return paths.has(top) ? top : null;
}

const byPath = (a: ManifestEntry, b: ManifestEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * The packages whose scripts run, dependencies first (through packages without scripts too).
 * A dependency cycle is broken where the walk, in path order, first comes back to a package it
 * is still inside of, so the same manifest always gives the same order.
 */
export function installScriptOrder(manifest: readonly ManifestEntry[]): ManifestEntry[] {
  const byTreePath = new Map(manifest.map((entry) => [entry.path, entry]));
  const paths = new Set(byTreePath.keys());
  const seen = new Set<string>();
  const ordered: ManifestEntry[] = [];

  const visit = (entry: ManifestEntry): void => {
    // Marked before its dependencies are visited: coming back to it through a cycle stops there.
    if (seen.has(entry.path)) return;
    seen.add(entry.path);
    for (const name of Object.keys(entry.dependencies).sort()) {
      const found = resolveDependency(paths, entry.path, name);
      if (found !== null) visit(byTreePath.get(found)!);
    }
    if (runsInstallScripts(entry)) ordered.push(entry);
  };
  for (const entry of [...manifest].sort(byPath)) visit(entry);
  return ordered;
}
