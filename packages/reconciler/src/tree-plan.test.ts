import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import type { PackageListing } from './extracted-store.ts';
import { planTree } from './tree-plan.ts';
import { fakeEntry, fakeIntegrity as integrity } from './test-support/manifest-entry.ts';

const entry = (name: string, path: string, c: string, bin: Record<string, string> = {}) => fakeEntry(name, { path, c, bin });
const listing = (files: string[], dirs: string[] = []): PackageListing => ({ files, dirs, symlinks: [] });

describe('planTree', () => {
  it('lists every directory once, parents first, including nested node_modules', () => {
    const plan = planTree(
      [entry('b', 'node_modules/a/node_modules/b', 'b'), entry('a', 'node_modules/a', 'a')],
      new Map([
        [integrity('a'), listing(['index.js', 'lib/x.js'], ['lib'])],
        [integrity('b'), listing(['index.js'])],
      ]),
    );
    expect(plan.dirs).toEqual(['node_modules', 'node_modules/a', 'node_modules/a/lib', 'node_modules/a/node_modules', 'node_modules/a/node_modules/b']);
    expect(new Set(plan.dirs).size).toBe(plan.dirs.length);
    expect(plan.files.map((f) => f.to).sort()).toEqual(['node_modules/a/index.js', 'node_modules/a/lib/x.js', 'node_modules/a/node_modules/b/index.js']);
  });

  it('links bins relatively in the .bin of the node_modules holding the package, scoped or nested', () => {
    const plan = planTree(
      [
        entry('@s/tool', 'node_modules/@s/tool', 't', { '@s/tool': 'bin/cli.js' }),
        entry('n', 'node_modules/x/node_modules/n', 'n', { n: './n.js' }),
        entry('x', 'node_modules/x', 'x'),
      ],
      new Map([
        [integrity('t'), listing(['bin/cli.js'], ['bin'])],
        [integrity('n'), listing(['n.js'])],
        [integrity('x'), listing(['index.js'])],
      ]),
    );
    expect(plan.bins).toEqual([
      { path: 'node_modules/.bin/tool', target: '../@s/tool/bin/cli.js', executable: 'node_modules/@s/tool/bin/cli.js' },
      { path: 'node_modules/x/node_modules/.bin/n', target: '../n/n.js', executable: 'node_modules/x/node_modules/n/n.js' },
    ]);
    expect(plan.dirs).toContain('node_modules/x/node_modules/.bin');
  });

  it('lets a nested package override what its parent tarball bundled at the same place', () => {
    const plan = planTree(
      [entry('b', 'node_modules/a/node_modules/b', 'b'), entry('a', 'node_modules/a', 'a')],
      new Map([
        [integrity('a'), listing(['node_modules/b/index.js'], ['node_modules', 'node_modules/b'])],
        [integrity('b'), listing(['index.js'])],
      ]),
    );
    expect(plan.files.filter((f) => f.to === 'node_modules/a/node_modules/b/index.js')).toEqual([
      { integrity: integrity('b'), from: 'index.js', to: 'node_modules/a/node_modules/b/index.js', copy: false },
    ]);
  });

  it.each(['hardlinked', 'linked-packages'] as const)(
    'in the %s layout copies everything below a package whose scripts are allowed, nested packages included, and links nothing of it to the store',
    (layout) => {
      const scripted = { ...entry('s', 'node_modules/s', 's'), scriptsAllowed: true as const };
      const plan = planTree(
        [scripted, entry('n', 'node_modules/s/node_modules/n', 'n'), entry('p', 'node_modules/p', 'p')],
        new Map([
          [integrity('s'), listing(['index.js', 'lib/x.js'], ['lib'])],
          [integrity('n'), listing(['index.js'])],
          [integrity('p'), listing(['index.js'])],
        ]),
        layout,
      );
      const copied = plan.files.filter((file) => file.copy).map((file) => file.to).sort();
      expect(copied).toEqual(['node_modules/s/index.js', 'node_modules/s/lib/x.js', 'node_modules/s/node_modules/n/index.js']);
      // The package without scripts keeps its layout's way: a hard link, or one link to the store.
      if (layout === 'hardlinked') expect(plan.files.find((file) => file.to === 'node_modules/p/index.js')?.copy).toBe(false);
      expect(plan.packageLinks.map((link) => link.path)).toEqual(layout === 'hardlinked' ? [] : ['node_modules/p']);
    },
  );

  it('in the linked-packages layout links packages without nested packages to the store, keeping their parents real', () => {
    const plan = planTree(
      [
        entry('a', 'node_modules/a', 'a', { a: 'cli.js' }),
        entry('b', 'node_modules/a/node_modules/b', 'b'),
        entry('@s/c', 'node_modules/@s/c', 'c'),
      ],
      new Map([
        [integrity('a'), listing(['cli.js', 'node_modules/b/stale.js'], ['node_modules', 'node_modules/b'])],
        [integrity('b'), listing(['index.js'])],
        [integrity('c'), listing(['index.js'])],
      ]),
      'linked-packages',
    );
    expect(plan.packageLinks).toEqual([
      { path: 'node_modules/@s/c', integrity: integrity('c') },
      { path: 'node_modules/a/node_modules/b', integrity: integrity('b') },
    ]);
    // `a` has a nested package, so it is a real directory; what its tarball bundled at b's place is replaced by the link.
    expect(plan.files.map((f) => f.to)).toEqual(['node_modules/a/cli.js']);
    expect(new Set(plan.dirs)).toEqual(new Set(['node_modules', 'node_modules/@s', 'node_modules/a', 'node_modules/.bin', 'node_modules/a/node_modules']));
    expect(plan.bins).toEqual([{ path: 'node_modules/.bin/a', target: '../a/cli.js', executable: 'node_modules/a/cli.js' }]);
  });

  it.each([
    ['points outside the package', { evil: '../other/x.js' }],
    ['is not a plain file name', { '../evil': 'x.js' }],
  ])('refuses a bin that %s', (reason, bin) => {
    try {
      planTree([entry('a', 'node_modules/a', 'a', bin)], new Map([[integrity('a'), listing(['x.js'])]]));
      expect.unreachable();
    } catch (error) {
      expect(isSpkError(error, 'INVALID_INPUT')).toBe(true);
      expect((error as Error).message).toContain(reason);
    }
  });
});
