import { describe, expect, it } from 'vitest';
import { addPackageInputSchema } from './packages.ts';
import { checkPackageName, legacyNameReason, parsePackageSpec } from './package-spec.ts';
import { isSpkError } from './errors.ts';

describe('parsePackageSpec', () => {
  it('splits plain, ranged and scoped specs', () => {
    expect(parsePackageSpec('zod')).toEqual({ name: 'zod', range: 'latest' });
    expect(parsePackageSpec('zod@^3.23')).toEqual({ name: 'zod', range: '^3.23' });
    expect(parsePackageSpec('@aws-sdk/client-s3@3.0.0')).toEqual({ name: '@aws-sdk/client-s3', range: '3.0.0' });
    expect(parsePackageSpec('@types/node')).toEqual({ name: '@types/node', range: 'latest' });
  });

  it.each([
    ['left-pad@git+https://github.com/x/y.git', 'git spec'],
    ['left-pad@file:../x', 'file:) spec'], ['left-pad@file:x.tgz', 'file:) spec'],
    ['left-pad@https://example.com/x.tgz', 'tarball URL spec'],
    ['left-pad@npm:other@1', 'alias'],
  ])('refuses %s as %s', (spec, kind) => {
    try {
      parsePackageSpec(spec);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(isSpkError(error, 'INVALID_SPEC')).toBe(true);
      expect((error as Error).message).toContain(kind);
      expect((error as Error).message).toContain('only registry specs are allowed');
    }
  });

  it('refuses invalid names with npm\'s reason', () => {
    expect(() => parsePackageSpec(' spaces in name@1')).toThrow(/not a valid npm package name/);
    expect(() => parsePackageSpec('_underscore@1')).toThrow('"_underscore" is not a valid npm package name: name cannot start with an underscore');
  });

  it.each([
    ['https://example.com/x.tgz', 'a tarball URL spec'],
    ['git+ssh://git@github.com/a/b.git', 'a git spec (GitHub)'],
    ['git+https://git.example.com/a/b.git', 'a git spec'],
    ['a/b', 'a git spec (GitHub)'],
    ['./local-dir', 'a local directory (file:) spec'],
    ['../evil', 'a local directory (file:) spec'],
    ['file:../x', 'a local directory (file:) spec'],
    ['./pkg.tgz', 'a local tarball (file:) spec'],
    ['npm:zod@3', 'an alias (npm:) spec'],
  ])('says what kind of spec a whole %s is, instead of calling it a bad name', (spec, kind) => {
    expect(() => parsePackageSpec(spec)).toThrow(
      `"${spec}" is ${kind}; only registry specs are allowed: a name with an optional semver range, exact version or dist-tag (zod, zod@^3.23, zod@latest); publish other code to a registry first`,
    );
  });

  it('accepts a name valid only for legacy packages (the backend asks the registry about it)', () => {
    expect(parsePackageSpec('JSONStream@^1')).toEqual({ name: 'JSONStream', range: '^1' });
    expect(legacyNameReason('JSONStream')).toBe('name can no longer contain capital letters');
    expect(legacyNameReason('jsonstream')).toBeNull();
  });
});

describe('checkPackageName', () => {
  it.each([
    ['https://example.com/x.tgz', 'a tarball URL spec'],
    ['git+ssh://git@github.com/a/b.git', 'a git spec (GitHub)'],
    ['./local-dir', 'a local directory (file:) spec'],
    ['file:../x', 'a local directory (file:) spec'],
  ])('names the kind of spec %s given as a package name', (name, kind) => {
    expect(checkPackageName(name)).toBe(
      `"${name}" is ${kind}, not a package name; only registry specs are allowed: a name with an optional semver range, exact version or dist-tag (zod, zod@^3.23, zod@latest); publish other code to a registry first`,
    );
  });

  it('keeps npm\'s reason for a name that is no spec at all', () => {
    expect(checkPackageName('bad name')).toBe('"bad name" is not a valid npm package name: name can only contain URL-friendly characters');
  });
});

describe('addPackageInputSchema', () => {
  it('defaults range and enabled', () => {
    expect(addPackageInputSchema.parse({ name: 'zod' })).toEqual({ name: 'zod', range: 'latest', enabled: true });
  });

  it('reports the failing field path and refuses unknown fields', () => {
    const bad = addPackageInputSchema.safeParse({ name: 'zod', range: 'file:/etc' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['range']);
    const extra = addPackageInputSchema.safeParse({ name: 'zod', evil: true });
    expect(extra.success).toBe(false);
    expect(extra.error?.issues[0]?.code).toBe('unrecognized_keys');
  });
});
