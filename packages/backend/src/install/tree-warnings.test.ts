import { describe, expect, it } from 'vitest';
import { MAX_DEPRECATED_LISTED, treeWarnings } from './tree-warnings.ts';

const node = (name: string, version: string, path = `node_modules/${name}`, deprecated?: string) => ({ name, version, path, ...(deprecated ? { deprecated } : {}) });

describe('treeWarnings', () => {
  it('names a deprecated declared package as declared, with the version it got and the message', () => {
    const warnings = treeWarnings([{ name: 'acc', range: '^1.0.0' }], [node('acc', '1.1.0', undefined, 'acc 1.x is unsupported, use 2.x')]);
    expect(warnings).toEqual([
      'acc@^1.0.0 installs 1.1.0, which is deprecated: "acc 1.x is unsupported, use 2.x"; declare a range that avoids it (spk packages set acc@<range>)',
    ]);
  });

  it('groups deprecated dependencies in one warning, each version once however many paths hold it', () => {
    const warnings = treeWarnings(
      [{ name: 'app', range: '^1.0.0' }],
      [
        node('app', '1.0.0'),
        node('old', '1.0.0', 'node_modules/old', 'gone'),
        node('old', '1.0.0', 'node_modules/app/node_modules/old', 'gone'),
        node('older', '0.1.0', 'node_modules/older', 'very\n  gone'),
      ],
    );
    expect(warnings).toEqual(['2 undeclared packages in the tree are deprecated: old@1.0.0 ("gone"), older@0.1.0 ("very gone")']);
  });

  it('caps the list of deprecated dependencies and counts the rest', () => {
    const deps = Array.from({ length: MAX_DEPRECATED_LISTED + 5 }, (_, i) => node(`dep-${String(i).padStart(2, '0')}`, '1.0.0', undefined, 'x'));
    const [warning] = treeWarnings([], deps);
    expect(warning).toMatch(/^25 undeclared packages in the tree are deprecated: dep-00@1\.0\.0 \("x"\), /);
    expect(warning).toContain('dep-19@1.0.0 ("x") and 5 more');
    expect(warning).not.toContain('dep-20');
  });

  it('caps a long deprecation message', () => {
    const [warning] = treeWarnings([], [node('x', '1.0.0', undefined, 'y'.repeat(1000))]);
    expect(warning!.length).toBeLessThan(300);
    expect(warning).toContain('…"');
  });

  it('says which version a declared dist-tag pointed to, but not for "latest" or ranges', () => {
    const warnings = treeWarnings(
      [
        { name: 'acc', range: 'next' },
        { name: 'b', range: 'latest' },
        { name: 'c', range: '^1.0.0' },
        { name: 'd', range: '1.0.0' },
      ],
      [node('acc', '3.0.0-beta.1'), node('b', '1.0.0'), node('c', '1.0.0'), node('d', '1.0.0')],
    );
    expect(warnings).toEqual(['acc@next: the tag next pointed to 3.0.0-beta.1 at this install; declare a range to control upgrades']);
  });

  it('warns about nothing in a tree without deprecations or tags', () => {
    expect(treeWarnings([{ name: 'a', range: '^1' }], [node('a', '1.0.0')])).toEqual([]);
  });
});
