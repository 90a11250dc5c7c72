// The package a bench changes for its "one package changed" rows: the first package of the set
// whose latest version has no dependencies and that has older releases to move to, so the change
// touches exactly one package of the resolved tree.
import pacote from 'pacote';
import semver from 'semver';
import { parsePackageSpec } from '@spk/common';

export interface DeltaPackage {
  name: string;
  /** The range the set declares it with. */
  declared: string;
  /** Older dependency-free releases, newest first: one new version per change. */
  older: string[];
}

export async function findDeltaPackage(registry: string, specs: readonly string[]): Promise<DeltaPackage> {
  for (const spec of specs) {
    const { name, range } = parsePackageSpec(spec);
    const packument = await pacote.packument(name, { registry, fullMetadata: false });
    const dependencyFree = (version: string) => Object.keys(packument.versions[version]?.dependencies ?? {}).length === 0;
    const latest = packument['dist-tags'].latest!;
    if (!dependencyFree(latest)) continue;
    const older = semver.rsort(Object.keys(packument.versions).filter((v) => semver.lt(v, latest) && !semver.prerelease(v) && dependencyFree(v)));
    if (older.length > 0) return { name, declared: range, older };
  }
  throw new Error('no package in the set has an older version without dependencies to use as the delta');
}
