import type { DeclaredPackage, ManifestEntry } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { listPackages } from './package-listing.ts';

const at = '2026-01-01T00:00:00.000Z';
const declared = (name: string, enabled = true): DeclaredPackage => ({ name, range: 'latest', enabled, createdAt: at, updatedAt: at });
const entry = (path: string, version: string, size = 1): ManifestEntry => ({
  name: path.split('node_modules/').at(-1)!,
  version,
  path,
  integrity: `sha512-${'A'.repeat(86)}==`,
  size,
  hasInstallScript: false,
  bin: {},
  dependencies: {},
});
const desired = {
  lockfileHash: 'a'.repeat(64),
  // zod at the top level; a nested older copy of left-pad under another package must not count.
  manifest: [entry('node_modules/zod', '3.25.1', 4096), entry('node_modules/other/node_modules/left-pad', '1.0.0', 512), entry('node_modules/other', '2.0.0')],
};

describe('listPackages', () => {
  it("takes each declared package's version from the top level of the desired tree, or null", () => {
    const listed = listPackages({ declared: [declared('zod'), declared('left-pad')], desired, host: { hostId: 'h', lockfileHash: desired.lockfileHash } });
    expect(listed.packages.map(({ name, resolvedVersion, tarballSize, installed }) => ({ name, resolvedVersion, tarballSize, installed }))).toEqual([
      { name: 'zod', resolvedVersion: '3.25.1', tarballSize: 4096, installed: true },
      { name: 'left-pad', resolvedVersion: null, tarballSize: null, installed: false },
    ]);
    expect(listed).toMatchObject({ lockfileHash: desired.lockfileHash, host: { hostId: 'h' } });
  });

  it('says not installed while the answering host runs another tree, or none', () => {
    for (const hostHash of ['b'.repeat(64), null]) {
      const listed = listPackages({ declared: [declared('zod')], desired, host: { hostId: 'h', lockfileHash: hostHash } });
      expect(listed.packages[0]).toMatchObject({ resolvedVersion: '3.25.1', installed: false });
    }
  });

  it('reports nothing resolved before the first install', () => {
    const listed = listPackages({ declared: [declared('zod')], desired: { lockfileHash: null, manifest: [] }, host: { hostId: 'h', lockfileHash: null } });
    expect(listed.packages[0]).toMatchObject({ resolvedVersion: null, installed: false });
  });
});
