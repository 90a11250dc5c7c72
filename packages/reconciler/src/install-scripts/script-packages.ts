// Which parts of a tree belong to packages whose lifecycle scripts run. A script may change any
// file below its package's directory (nested packages included), so everything there is a copy
// of the store, never a hard link or a link to it, and fsck only checks that it is present.
import type { ManifestEntry } from '@spk/common';

export const runsInstallScripts = (entry: Pick<ManifestEntry, 'scriptsAllowed'>): boolean => entry.scriptsAllowed === true;

/** A test for tree paths (relative to the tree root) at or below a package whose scripts run. */
export function scriptPackageArea(manifest: readonly ManifestEntry[]): (rel: string) => boolean {
  const roots = manifest.filter(runsInstallScripts).map((entry) => entry.path);
  if (roots.length === 0) return () => false;
  return (rel) => roots.some((root) => rel === root || rel.startsWith(`${root}/`));
}
