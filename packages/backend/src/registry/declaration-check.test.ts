import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { checkDeclaration, searchTerms } from './declaration-check.ts';
import type { RegistryReader } from './registry-lookup.ts';

describe('searchTerms', () => {
  it('searches for the name, the name minus its last letter and its words, at most four searches', () => {
    expect(searchTerms('zodd')).toEqual(['zodd', 'zod']);
    expect(searchTerms('@acme/left-padd')).toEqual(['@acme/left-padd', 'left-pad', 'left', 'padd']);
    expect(searchTerms('spk-fixture-esn')).toEqual(['spk-fixture-esn', 'spk-fixture-es', 'spk', 'fixture']);
  });
});

describe('checkDeclaration', () => {
  // A registry that records what it is asked: a spec npm does not read as a registry one is refused before any request.
  function recordingRegistry() {
    const asked: string[] = [];
    const registry: RegistryReader = {
      url: 'http://127.0.0.1:9/',
      lookup: async (name) => {
        asked.push(name);
        return { status: 'missing' };
      },
      search: async () => [],
    };
    return { registry, asked };
  }

  it.each([
    ['github:a/b', 'a git spec (GitHub)'],
    ['file:../x', 'a local directory (file:) spec'],
    ['https://example.com/x.tgz', 'a tarball URL spec'],
    ['npm:other@1', 'an alias (npm:) spec'],
  ])('refuses %s with INVALID_SPEC, as npm-package-arg reads it, without asking the registry', async (range, kind) => {
    const { registry, asked } = recordingRegistry();
    const refusal = await checkDeclaration({ name: 'zod', range }, registry).catch((error: unknown) => error);
    expect(isSpkError(refusal, 'INVALID_SPEC')).toBe(true);
    expect((refusal as Error).message).toBe(`"${range}" is ${kind}; only registry specs are allowed: a name with an optional semver range, exact version or dist-tag (zod, zod@^3.23, zod@latest); publish other code to a registry first`);
    expect(asked).toEqual([]);
  });

  it('refuses a range npm cannot read at all, and asks the registry about a registry spec', async () => {
    const { registry, asked } = recordingRegistry();
    const refusal = await checkDeclaration({ name: 'zod', range: 'not a tag' }, registry).catch((error: unknown) => error);
    expect(isSpkError(refusal, 'INVALID_SPEC')).toBe(true);
    expect((refusal as Error).message).toMatch(/^"not a tag" is not a valid version range for zod: Invalid tag name/);
    const missing = await checkDeclaration({ name: 'zod', range: '^3' }, registry).catch((error: unknown) => error);
    expect(isSpkError(missing, 'PACKAGE_NOT_FOUND')).toBe(true);
    expect(asked).toEqual(['zod']);
  });
});
