import { describe, expect, it } from 'vitest';
import { conditionTargets, declarationCandidates, declarationSuffixes, importsEntry, MAX_CONDITION_DEPTH, nodeModulesLookups, typesVersionsMapping, withinDepth, withinPackage } from './declaration-paths.ts';

describe('declaration paths', () => {
  it('maps script specifiers to their declaration siblings and tries extensions for bare paths', () => {
    expect(declarationCandidates('p/a.js')).toEqual(['p/a.d.ts']);
    expect(declarationCandidates('p/a.mjs')).toEqual(['p/a.d.mts']);
    expect(declarationCandidates('p/a.cjs')).toEqual(['p/a.d.cts']);
    expect(declarationCandidates('p/a.d.cts')).toEqual(['p/a.d.cts']);
    expect(declarationCandidates('p/a')).toEqual(['p/a.d.ts', 'p/a.d.mts', 'p/a.d.cts', 'p/a/index.d.ts', 'p/a/index.d.mts', 'p/a/index.d.cts']);
    expect(declarationSuffixes('.js')).toEqual(['.d.ts']);
    expect(declarationSuffixes('.css')).toEqual([]);
  });

  it('keeps joined paths inside the package', () => {
    expect(withinPackage('node_modules/a', './lib/../x.d.ts')).toBe('node_modules/a/x.d.ts');
    expect(withinPackage('node_modules/a', '../b/index.d.ts')).toBeNull();
    expect(withinPackage('node_modules/a', '../../../../etc/passwd', 'node_modules/a/lib')).toBeNull();
    expect(withinPackage('node_modules/a', '/etc/passwd')).toBeNull();
    expect(withinPackage('node_modules/a', '..\\b')).toBeNull();
    expect(withinPackage('node_modules/a', '../sib', 'node_modules/a/lib')).toBe('node_modules/a/sib');
  });

  it('walks up node_modules like Node, never above the tree root', () => {
    expect(nodeModulesLookups('node_modules/a/node_modules/@s/b/dist')).toEqual([
      'node_modules/a/node_modules/@s/b/dist/node_modules',
      'node_modules/a/node_modules/@s/b/node_modules',
      'node_modules/a/node_modules/@s/node_modules',
      'node_modules/a/node_modules',
      'node_modules',
    ]);
  });

  it('reads conditions, `imports` patterns and the typesVersions range of the shipped TypeScript', () => {
    expect(conditionTargets({ '.': { 'types@<1': './old.d.ts', import: { types: './a.d.mts' }, require: ['./b.cjs', null] } })).toEqual(['./a.d.mts', './b.cjs']);
    expect(importsEntry({ '#x/*': { types: './t/*.d.ts' }, '#x/special': './s.js' }, '#x/deep/y')).toEqual({ types: './t/deep/y.d.ts' });
    expect(importsEntry({ '#x/*': './t/*.js', '#x/special': './s.js' }, '#x/special')).toBe('./s.js');
    expect(typesVersionsMapping({ '<3': { '*': ['v2/*'] }, '*': { '*': ['v5/*'] } })).toEqual({ '*': ['v5/*'] });
    expect(typesVersionsMapping({ '<3': { '*': ['v2/*'] } })).toBeNull();
  });

  it('follows conditions only so deep, so a package.json nested 20,000 deep never overflows the stack', () => {
    const nest = (depth: number, leaf: unknown): unknown => {
      let value = leaf;
      for (let i = 0; i < depth; i++) value = { import: value };
      return value;
    };
    expect(conditionTargets(nest(MAX_CONDITION_DEPTH, './ok.d.ts'))).toEqual(['./ok.d.ts']);
    expect(conditionTargets({ '.': './a.d.ts', './deep': nest(20_000, './deep.d.ts') })).toEqual(['./a.d.ts']);
    expect(importsEntry({ '#x/*': nest(20_000, './*.d.ts') }, '#x/y')).toEqual(nest(MAX_CONDITION_DEPTH, undefined));
    expect(JSON.stringify(withinDepth({ a: 1, deep: nest(20_000, 'x'), list: [[['y']]] }, 3))).toBe('{"a":1,"deep":{"import":{}},"list":[[]]}');
  });
});
