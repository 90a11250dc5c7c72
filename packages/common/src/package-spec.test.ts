import { describe, expect, it } from 'vitest';
import { addPackageInputSchema } from './packages.ts';
import { parsePackageSpec } from './package-spec.ts';
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
    expect(() => parsePackageSpec('../evil')).toThrow(/not a valid npm package name/);
    expect(() => parsePackageSpec(' spaces in name@1')).toThrow(/not a valid npm package name/);
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
