import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '@spk/common';
import { fakeEntry } from '../test-support/manifest-entry.ts';
import { installScriptOrder, resolveDependency } from './install-script-order.ts';

const pkg = (name: string, path: string, dependencies: string[] = [], scripted = true): ManifestEntry => ({
  ...fakeEntry(name, { path }),
  dependencies: Object.fromEntries(dependencies.map((dep) => [dep, '*'])),
  ...(scripted ? { scriptsAllowed: true as const } : {}),
});
const paths = (entries: ManifestEntry[]) => entries.map((entry) => entry.path);

describe('resolveDependency', () => {
  it('finds the nearest copy upwards from the requiring package, as Node does', () => {
    const tree = new Set(['node_modules/a', 'node_modules/b', 'node_modules/a/node_modules/b', 'node_modules/a/node_modules/c', 'node_modules/@s/d']);
    expect(resolveDependency(tree, 'node_modules/a', 'b')).toBe('node_modules/a/node_modules/b');
    expect(resolveDependency(tree, 'node_modules/a/node_modules/c', 'b')).toBe('node_modules/a/node_modules/b');
    expect(resolveDependency(tree, 'node_modules/b', 'b')).toBe('node_modules/b');
    expect(resolveDependency(tree, 'node_modules/a/node_modules/c', '@s/d')).toBe('node_modules/@s/d');
    expect(resolveDependency(tree, 'node_modules/a', 'missing')).toBeNull();
  });
});

describe('installScriptOrder', () => {
  it('runs dependencies first, also through packages whose scripts do not run, and only allowed packages', () => {
    const order = installScriptOrder([
      pkg('app', 'node_modules/app', ['mid']),
      pkg('mid', 'node_modules/mid', ['leaf'], false),
      pkg('leaf', 'node_modules/leaf'),
      pkg('other', 'node_modules/other'),
    ]);
    expect(paths(order)).toEqual(['node_modules/leaf', 'node_modules/app', 'node_modules/other']);
  });

  it('orders by the copy Node would load: a nested dependency before its parent', () => {
    const order = installScriptOrder([
      pkg('a', 'node_modules/a', ['b']),
      pkg('b', 'node_modules/b'),
      pkg('b', 'node_modules/a/node_modules/b', ['z']),
      pkg('z', 'node_modules/z'),
    ]);
    expect(paths(order)).toEqual(['node_modules/z', 'node_modules/a/node_modules/b', 'node_modules/a', 'node_modules/b']);
  });

  it('breaks a cycle the same way whatever order the manifest lists it in', () => {
    const cycle = [pkg('x', 'node_modules/x', ['y']), pkg('y', 'node_modules/y', ['x']), pkg('w', 'node_modules/w', ['y'])];
    const order = paths(installScriptOrder(cycle));
    // In path order w comes first; w -> y -> x -> (y again: the cycle is cut there), so x runs first.
    expect(order).toEqual(['node_modules/x', 'node_modules/y', 'node_modules/w']);
    expect(paths(installScriptOrder([...cycle].reverse()))).toEqual(order);
  });
});
