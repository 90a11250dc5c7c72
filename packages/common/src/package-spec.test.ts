import { describe, expect, it } from 'vitest';
import { addPackageInputSchema } from './packages.ts';
import { checkPackageName, checkPackageRange, nonRegistrySpecKind, parsePackageSpec, registrySpecType } from './package-spec.ts';
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
    expect(parsePackageSpec('http@1')).toEqual({ name: 'http', range: '1' });
    expect(checkPackageName('JSONStream')).toBeNull();
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

describe('registrySpecType and checkPackageRange', () => {
  it.each([
    ['1.2.3', 'version'], ['v1.2.3', 'version'], ['^1.2', 'range'], ['>=1 <3 || 5.x', 'range'], ['', 'range'],
    ['latest', 'tag'], ['next-2', 'tag'],
  ])('reads %j as a %s', (range, type) => {
    expect(registrySpecType('zod', range)).toBe(type);
    expect(checkPackageRange('zod', range)).toBeNull();
  });

  it.each([
    ['github:a/b', 'a git spec (GitHub)'], ['gitlab:group/sub/proj', 'a git spec (GitLab)'], ['bitbucket:a/b', 'a git spec (Bitbucket)'],
    ['gist:11081aaa281', 'a git spec (GitHub gist)'], ['sourcehut:~u/r', 'a git spec (sourcehut)'],
    ['https://gitlab.com/a/b.git', 'a git spec (GitLab)'], ['git@github.com:a/b.git', 'a git spec (GitHub)'],
    ['git+https://git.example.com/a/b.git#v1', 'a git spec'], ['git://example.com/a/b', 'a git spec'],
    ['https://github.com/a/b/archive/v1.tar.gz', 'a tarball URL spec'], ['http://gitlab.com/a/b', 'a tarball URL spec'],
    ['~/pkg', 'a local directory (file:) spec'], ['C:\\pkg', 'a local directory (file:) spec'], ['x.tar', 'a local tarball (file:) spec'],
    ['npm:other@^2', 'an alias (npm:) spec'],
  ])('names %j as %s', (range, kind) => {
    expect(registrySpecType('zod', range)).toBeNull();
    expect(checkPackageRange('zod', range)).toBe(`"${range}" is ${kind}; only registry specs are allowed: a name with an optional semver range, exact version or dist-tag (zod, zod@^3.23, zod@latest); publish other code to a registry first`);
  });

  it('says why a range npm cannot use at all is refused', () => {
    expect(checkPackageRange('zod', 'not a tag')).toBe(
      '"not a tag" is not a valid version range for zod: Invalid tag name "not a tag" of package "zod@not a tag": Tags may not have any characters that encodeURIComponent encodes.',
    );
    expect(checkPackageRange('zod', 'npm:git+https://x.org/a.git')).toMatch(/aliases only work for registry deps$/);
    expect(checkPackageRange('zod', 'npm:^1')).toMatch(/aliases must have a name$/);
    expect(checkPackageRange('zod', 'ftp://x.org/a.tgz')).toMatch(/Unsupported URL Type "ftp:"/);
    expect(checkPackageRange('zod', 'github:a/b#v1::v2')).toMatch(/cannot override existing committish with a second committish$/);
    expect(registrySpecType('bad name', '1')).toBeNull();
  });

  it('reads a whole argument as npm install would', () => {
    expect(nonRegistrySpecKind('zod@^3')).toBeNull();
    expect(nonRegistrySpecKind('@scope/pkg@1')).toBeNull();
    expect(nonRegistrySpecKind('@scope/pkg@github:a/b')).toBe('a git spec (GitHub)');
    expect(nonRegistrySpecKind('user/repo#main')).toBe('a git spec (GitHub)');
    expect(nonRegistrySpecKind('pkg.tgz')).toBe('a local tarball (file:) spec');
    expect(nonRegistrySpecKind('bad name@1')).toBeNull();
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
