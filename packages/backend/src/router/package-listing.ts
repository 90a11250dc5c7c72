// What `packages.list` answers: each declared package next to the version the desired tree holds
// at its top level and whether the answering host runs that tree. Pure, so the rules are
// unit-tested apart from the stores that feed it.
import type { DeclaredPackage, Manifest, PackageList } from '@spk/common';

export interface PackageListingInput {
  declared: readonly DeclaredPackage[];
  /** The committed desired state; lockfileHash null before the first install. */
  desired: { lockfileHash: string | null; manifest: Manifest };
  host: { hostId: string; lockfileHash: string | null };
}

export function listPackages({ declared, desired, host }: PackageListingInput): PackageList {
  // Only the top-level entry is what `import "<name>"` gets; nested copies serve other packages.
  const topLevel = new Map(desired.manifest.map((entry) => [entry.path, entry]));
  const runsDesired = desired.lockfileHash !== null && host.lockfileHash === desired.lockfileHash;
  return {
    packages: declared.map((pkg) => {
      const entry = topLevel.get(`node_modules/${pkg.name}`);
      return { ...pkg, resolvedVersion: entry?.version ?? null, tarballSize: entry?.size ?? null, installed: runsDesired && entry !== undefined };
    }),
    lockfileHash: desired.lockfileHash,
    host,
  };
}
