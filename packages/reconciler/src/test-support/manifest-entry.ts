// Manifest entries for tests that never touch real tarballs: the integrity is a well-formed
// placeholder derived from one character.
import type { ManifestEntry } from '@spk/common';

export const fakeIntegrity = (c: string) => `sha512-${c.repeat(86)}==`;

export function fakeEntry(name: string, options: { path?: string; c?: string; bin?: Record<string, string> } = {}): ManifestEntry {
  return {
    name,
    version: '1.0.0',
    path: options.path ?? `node_modules/${name}`,
    integrity: fakeIntegrity(options.c ?? name[0]!),
    size: 1,
    hasInstallScript: false,
    bin: options.bin ?? {},
    dependencies: {},
  };
}
