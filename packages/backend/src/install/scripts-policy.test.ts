import { describe, expect, it } from 'vitest';
import type { Manifest } from '@spk/common';
import { createScriptsPolicy, scriptsPolicyView } from './scripts-policy.ts';

const AT = '2025-01-01T00:00:00.000Z';
const entry = (name: string, path: string, extra: Partial<Manifest[number]> = {}): Manifest[number] => ({
  name,
  version: '1.0.0',
  path,
  integrity: `sha512-${'A'.repeat(86)}==`,
  size: 1,
  hasInstallScript: false,
  bin: {},
  dependencies: {},
  ...extra,
});

describe('scriptsPolicyView', () => {
  it('lists the packages with install scripts by path, each with whether hosts run them in that tree', () => {
    const manifest = [
      entry('z', 'node_modules/z', { hasInstallScript: true, scriptsAllowed: true }),
      entry('plain', 'node_modules/plain'),
      entry('a', 'node_modules/z/node_modules/a', { hasInstallScript: true }),
      entry('a', 'node_modules/a', { hasInstallScript: true }),
    ];
    // The policy says "a" is allowed, but the tree was installed before: hosts do not run it yet.
    expect(scriptsPolicyView([{ name: 'a', allowedAt: AT }], manifest)).toEqual({
      allowed: [{ name: 'a', allowedAt: AT }],
      withScripts: [
        { name: 'a', version: '1.0.0', path: 'node_modules/a', allowed: false },
        { name: 'z', version: '1.0.0', path: 'node_modules/z', allowed: true },
        { name: 'a', version: '1.0.0', path: 'node_modules/z/node_modules/a', allowed: false },
      ],
    });
  });
});

describe('createScriptsPolicy', () => {
  it('answers a change with the policy read after it', async () => {
    const names = new Set<string>();
    const policy = createScriptsPolicy({
      store: {
        list: async () => [...names].map((name) => ({ name, allowedAt: AT })),
        allow: async (name) => void names.add(name),
        disallow: async (name) => void names.delete(name),
      },
      desiredManifest: async () => [],
    });
    expect((await policy.allow('x')).allowed).toEqual([{ name: 'x', allowedAt: AT }]);
    expect((await policy.disallow('x')).allowed).toEqual([]);
  });
});
