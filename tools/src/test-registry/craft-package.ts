// Builds a package tarball entry by entry from raw tar headers, for tests that need what `npm pack`
// never produces (a ".." path, a symlink out of the package, a device): published like any fixture
// with publishPackage, so the installer meets it through a real registry.
import { makeTarball, type TarEntrySpec } from '../testing/make-tarball.ts';
import type { FixtureManifest, PackedFixture } from './pack-fixture.ts';
import { digestTarball } from './tarball-digests.ts';

export type CraftedEntry = TarEntrySpec;

/** A package whose tarball holds `package/package.json` (the manifest) followed by `entries`, verbatim. */
export function craftPackage(manifest: FixtureManifest, entries: readonly CraftedEntry[]): PackedFixture {
  const tarball = makeTarball([{ path: 'package/package.json', content: JSON.stringify(manifest) }, ...entries]);
  return { manifest, tarball, ...digestTarball(tarball), size: tarball.length };
}
