import { describe, expect, it } from 'vitest';
import { canonicalManifest, computeLockfileHash, manifestEntrySchema, type ManifestEntry } from './manifest.ts';

const integrity = (c: string) => `sha512-${c.repeat(86)}==`;
const entry = (name: string, path: string, version = '1.0.0'): ManifestEntry => ({
  name,
  version,
  path,
  integrity: integrity(name[0]!),
  size: 10,
  hasInstallScript: false,
  bin: {},
  dependencies: { b: '^1', a: '^2' },
});

describe('lockfileHash', () => {
  it('does not depend on entry or key order', async () => {
    const a = [entry('a', 'node_modules/a'), entry('b', 'node_modules/b')];
    const b = [{ ...a[1]!, dependencies: { a: '^2', b: '^1' } }, a[0]!];
    expect(canonicalManifest(a)).toBe(canonicalManifest(b));
    expect(await computeLockfileHash(a)).toBe(await computeLockfileHash(b));
    expect(await computeLockfileHash(a)).toMatch(/^[a-f0-9]{64}$/);
  });

  it('changes when a version changes', async () => {
    const a = [entry('a', 'node_modules/a')];
    const b = [entry('a', 'node_modules/a', '1.0.1')];
    expect(await computeLockfileHash(a)).not.toBe(await computeLockfileHash(b));
  });
});

describe('manifestEntrySchema', () => {
  it.each(['node_modules/../etc', '/node_modules/a', 'node_modules/a/../../b', 'lib/a', 'node_modules//a'])('refuses tree path %s', (path) => {
    expect(manifestEntrySchema.safeParse(entry('a', path)).success).toBe(false);
  });
  it('accepts nested and scoped paths', () => {
    expect(manifestEntrySchema.safeParse(entry('a', 'node_modules/x/node_modules/@s/a')).success).toBe(true);
  });
});
