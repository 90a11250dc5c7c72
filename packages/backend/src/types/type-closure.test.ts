import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isSpkError, typeClosureSchema, type TypeClosure } from '@spk/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { admitInOrder, computeTypeClosure } from './type-closure.ts';

let dir: string;
let tree: string;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'spk-type-closure-')));
  tree = path.join(dir, 'tree');
  await mkdir(tree);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Writes files below `root`; objects are written as JSON (package.json files). */
async function write(root: string, files: Record<string, string | object>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  }
}

const pkg = (name: string, version = '1.0.0', fields: object = {}) => ({ name, version, ...fields });
const paths = (closure: TypeClosure) => closure.files.map((file) => file.path.slice('file:///'.length));
const contentOf = (closure: TypeClosure, logical: string) => closure.files.find((file) => file.path === `file:///${logical}`)?.content;

async function closureOf(name: string, maxBytes?: number): Promise<TypeClosure> {
  const closure = await computeTypeClosure({ treeDir: tree, name, ...(maxBytes === undefined ? {} : { maxBytes }) });
  // Whatever it contains, it is what the route serves: valid against the shared schema.
  return typeClosureSchema.parse(closure);
}

describe('computeTypeClosure', () => {
  it('follows a package’s own `types`, `/// <reference path>` and `.js` specifiers, and serves a trimmed package.json', async () => {
    await write(tree, {
      'node_modules/own/package.json': pkg('own', '2.3.4', {
        types: 'lib/index.d.ts',
        description: 'not for editors',
        scripts: { postinstall: 'echo hi' },
        dependencies: { x: '1' },
      }),
      'node_modules/own/lib/index.d.ts': '/// <reference path="globals.d.ts" />\nexport { helper } from "./helper.js";\nexport type Deep = import("./deep/index.js").Deep;\n',
      'node_modules/own/lib/globals.d.ts': 'declare var OWN_GLOBAL: number;\n',
      'node_modules/own/lib/helper.d.ts': 'export declare function helper(): string;\n',
      'node_modules/own/lib/deep/index.d.ts': 'export type Deep = { deep: true };\n',
      'node_modules/own/lib/unused.d.ts': 'export {};\n',
    });
    const closure = await closureOf('own');
    expect(paths(closure).sort()).toEqual(
      ['node_modules/own/package.json', 'node_modules/own/lib/index.d.ts', 'node_modules/own/lib/globals.d.ts', 'node_modules/own/lib/helper.d.ts', 'node_modules/own/lib/deep/index.d.ts'].sort(),
    );
    expect(closure).toMatchObject({ name: 'own', version: '2.3.4', hasOwnTypes: true, hasAtTypes: false, notFound: false, truncated: false });
    expect(JSON.parse(contentOf(closure, 'node_modules/own/package.json')!)).toEqual({ name: 'own', version: '2.3.4', types: 'lib/index.d.ts' });
    expect(closure.bytes).toBe(closure.files.reduce((sum, file) => sum + Buffer.byteLength(file.content), 0));
  });

  it('takes every types target in `exports`: nested import/require conditions, subpaths and `./*` patterns, skipping other TypeScript versions’ branches', async () => {
    await write(tree, {
      'node_modules/exp/package.json': pkg('exp', '1.0.0', {
        exports: {
          '.': {
            'types@<4.0': './old/index.d.ts',
            import: { types: './dist/index.d.mts', default: './dist/index.mjs' },
            require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
          },
          './sub': { types: './dist/sub.d.ts', default: './dist/sub.js' },
          './features/*': './dist/features/*.js',
          './package.json': './package.json',
        },
      }),
      'node_modules/exp/old/index.d.ts': 'export declare const old: 1;\n',
      'node_modules/exp/dist/index.d.mts': 'export * from "./shared.mjs";\n',
      'node_modules/exp/dist/shared.d.mts': 'export declare const shared: 1;\n',
      'node_modules/exp/dist/index.d.cts': 'export declare const cjs: 1;\n',
      'node_modules/exp/dist/sub.d.ts': 'export declare const sub: 1;\n',
      'node_modules/exp/dist/features/one.d.ts': 'export declare const one: 1;\n',
      'node_modules/exp/dist/features/nested/two.d.ts': 'export declare const two: 2;\n',
      'node_modules/exp/dist/features/three.js': 'export const three = 3;\n',
      'node_modules/exp/dist/unlisted.d.ts': 'export {};\n',
    });
    const closure = await closureOf('exp');
    expect(paths(closure).sort()).toEqual(
      [
        'node_modules/exp/package.json',
        'node_modules/exp/dist/index.d.mts',
        'node_modules/exp/dist/index.d.cts',
        'node_modules/exp/dist/shared.d.mts',
        'node_modules/exp/dist/sub.d.ts',
        'node_modules/exp/dist/features/one.d.ts',
        'node_modules/exp/dist/features/nested/two.d.ts',
      ].sort(),
    );
    expect(closure.hasOwnTypes).toBe(true);
  });

  it('uses the `typesVersions` mapping for the TypeScript it ships, with `*` patterns', async () => {
    await write(tree, {
      'node_modules/tv/package.json': pkg('tv', '1.0.0', { types: 'index.d.ts', typesVersions: { '<4.0': { '*': ['ts3/*'] }, '>=4.2': { '*': ['ts4.2/*'] } } }),
      'node_modules/tv/index.d.ts': 'export declare const root: 1;\n',
      'node_modules/tv/ts3/index.d.ts': 'export declare const ts3: 1;\n',
      'node_modules/tv/ts4.2/index.d.ts': 'export * from "./extra";\n',
      'node_modules/tv/ts4.2/extra.d.ts': 'export declare const extra: 1;\n',
      'node_modules/tv/ts4.2/more.d.ts': 'export declare const more: 1;\n',
    });
    const closure = await closureOf('tv');
    expect(paths(closure).sort()).toEqual(
      ['node_modules/tv/package.json', 'node_modules/tv/index.d.ts', 'node_modules/tv/ts4.2/index.d.ts', 'node_modules/tv/ts4.2/extra.d.ts', 'node_modules/tv/ts4.2/more.d.ts'].sort(),
    );
    // An editor on another TypeScript must take the served branch, not one that was left out.
    expect(JSON.parse(contentOf(closure, 'node_modules/tv/package.json')!).typesVersions).toEqual({ '*': { '*': ['ts4.2/*'] } });
  });

  it('serves no typesVersions when no branch applies to the TypeScript it ships', async () => {
    await write(tree, {
      'node_modules/old/package.json': pkg('old', '1.0.0', { types: 'index.d.ts', typesVersions: { '<3.0': { '*': ['ts2/*'] } } }),
      'node_modules/old/index.d.ts': 'export declare const root: 1;\n',
      'node_modules/old/ts2/index.d.ts': 'export declare const ts2: 1;\n',
    });
    const closure = await closureOf('old');
    expect(paths(closure).sort()).toEqual(['node_modules/old/index.d.ts', 'node_modules/old/package.json']);
    expect(JSON.parse(contentOf(closure, 'node_modules/old/package.json')!)).toEqual({ name: 'old', version: '1.0.0', types: 'index.d.ts' });
  });

  it('falls back to main’s declaration sibling, then to index.d.ts', async () => {
    await write(tree, {
      'node_modules/mainly/package.json': pkg('mainly', '1.0.0', { main: './lib/main.js' }),
      'node_modules/mainly/lib/main.d.ts': 'export declare const main: 1;\n',
      'node_modules/mainly/index.d.ts': 'export declare const notUsed: 1;\n',
      'node_modules/fallback/package.json': pkg('fallback'),
      'node_modules/fallback/index.d.ts': 'export declare const fallback: 1;\n',
    });
    expect(paths(await closureOf('mainly'))).toEqual(['node_modules/mainly/package.json', 'node_modules/mainly/lib/main.d.ts']);
    expect(paths(await closureOf('fallback'))).toEqual(['node_modules/fallback/package.json', 'node_modules/fallback/index.d.ts']);
  });

  it('maps .mjs/.cjs specifiers to .d.mts/.d.cts and resolves `#imports`', async () => {
    await write(tree, {
      'node_modules/esm/package.json': pkg('esm', '1.0.0', { type: 'module', types: './index.d.mts', imports: { '#internal/*': './internal/*.js' } }),
      'node_modules/esm/index.d.mts': 'import { a } from "./a.mjs";\nimport b = require("./b.cjs");\nexport { x } from "#internal/x";\nexport { a, b };\n',
      'node_modules/esm/a.d.mts': 'export declare const a: 1;\n',
      'node_modules/esm/b.d.cts': 'declare const b: 2; export = b;\n',
      'node_modules/esm/internal/x.d.ts': 'export declare const x: 3;\n',
    });
    const closure = await closureOf('esm');
    expect(paths(closure).sort()).toEqual(
      ['node_modules/esm/package.json', 'node_modules/esm/index.d.mts', 'node_modules/esm/a.d.mts', 'node_modules/esm/b.d.cts', 'node_modules/esm/internal/x.d.ts'].sort(),
    );
    expect(JSON.parse(contentOf(closure, 'node_modules/esm/package.json')!)).toMatchObject({ type: 'module', imports: { '#internal/*': './internal/*.js' } });
  });

  it('adds the @types companion, scoped ones as @types/scope__name, with the package’s own package.json', async () => {
    await write(tree, {
      'node_modules/plain/package.json': pkg('plain', '4.0.0', { main: 'plain.js' }),
      'node_modules/plain/plain.js': 'module.exports = 1;\n',
      'node_modules/@types/plain/package.json': pkg('@types/plain', '4.0.1', { types: 'index.d.ts' }),
      'node_modules/@types/plain/index.d.ts': 'declare const plain: number; export = plain;\n',
      'node_modules/@scope/thing/package.json': pkg('@scope/thing', '1.0.0'),
      'node_modules/@types/scope__thing/package.json': pkg('@types/scope__thing', '1.0.0'),
      'node_modules/@types/scope__thing/index.d.ts': 'export declare const thing: 1;\n',
    });
    const plain = await closureOf('plain');
    expect(plain).toMatchObject({ version: '4.0.0', hasOwnTypes: false, hasAtTypes: true, notFound: false });
    expect(paths(plain)).toEqual(['node_modules/plain/package.json', 'node_modules/@types/plain/package.json', 'node_modules/@types/plain/index.d.ts']);
    const scoped = await closureOf('@scope/thing');
    expect(scoped).toMatchObject({ hasOwnTypes: false, hasAtTypes: true });
    expect(paths(scoped)).toContain('node_modules/@types/scope__thing/index.d.ts');
  });

  it('follows `/// <reference types>` to @types packages and to packages with own types', async () => {
    await write(tree, {
      'node_modules/refs/package.json': pkg('refs', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/refs/index.d.ts': '/// <reference types="globals" />\n/// <reference types="typed" />\nexport {};\n',
      'node_modules/@types/globals/package.json': pkg('@types/globals'),
      'node_modules/@types/globals/index.d.ts': 'declare var G: 1;\n',
      'node_modules/typed/package.json': pkg('typed', '1.0.0', { typings: 'typed.d.ts' }),
      'node_modules/typed/typed.d.ts': 'declare var T: 1;\n',
    });
    expect(paths(await closureOf('refs'))).toEqual([
      'node_modules/refs/package.json',
      'node_modules/refs/index.d.ts',
      'node_modules/@types/globals/package.json',
      'node_modules/@types/globals/index.d.ts',
      'node_modules/typed/package.json',
      'node_modules/typed/typed.d.ts',
    ]);
  });

  it('resolves bare imports from the importing file’s place: a nested version wins over the top-level one', async () => {
    await write(tree, {
      'node_modules/a/package.json': pkg('a', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/a/index.d.ts': 'import type { B } from "b";\nimport type { Extra } from "b/extra";\nexport declare function a(b: B, e: Extra): void;\n',
      'node_modules/a/node_modules/b/package.json': pkg('b', '2.0.0', { types: 'index.d.ts' }),
      'node_modules/a/node_modules/b/index.d.ts': 'export interface B { v2: true }\n',
      'node_modules/a/node_modules/b/extra.d.ts': 'export interface Extra { v2: true }\n',
      'node_modules/b/package.json': pkg('b', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/b/index.d.ts': 'export interface B { v1: true }\n',
      'node_modules/c/package.json': pkg('c', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/c/index.d.ts': 'import type { B } from "b";\nexport declare function c(b: B): void;\n',
    });
    const a = await closureOf('a');
    expect(paths(a)).toEqual([
      'node_modules/a/package.json',
      'node_modules/a/index.d.ts',
      'node_modules/a/node_modules/b/package.json',
      'node_modules/a/node_modules/b/index.d.ts',
      'node_modules/a/node_modules/b/extra.d.ts',
    ]);
    expect(JSON.parse(contentOf(a, 'node_modules/a/node_modules/b/package.json')!).version).toBe('2.0.0');
    expect(paths(await closureOf('c'))).toEqual(['node_modules/c/package.json', 'node_modules/c/index.d.ts', 'node_modules/b/package.json', 'node_modules/b/index.d.ts']);
  });

  it('skips Node built-ins, and leaves the top-level @types/node to its own closure', async () => {
    await write(tree, {
      'node_modules/uses-node/package.json': pkg('uses-node', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/uses-node/index.d.ts':
        '/// <reference types="node" />\nimport { readFile } from "fs";\nimport type { Stats } from "node:fs";\nimport "fs/promises";\nexport declare const f: typeof readFile;\n',
      // A package that shares a built-in's name is never consulted for the built-in.
      'node_modules/fs/package.json': pkg('fs', '0.0.1', { types: 'index.d.ts' }),
      'node_modules/fs/index.d.ts': 'export declare const notNode: 1;\n',
      'node_modules/@types/node/package.json': pkg('@types/node', '20.0.0', { types: 'index.d.ts' }),
      'node_modules/@types/node/index.d.ts': '/// <reference path="fs.d.ts" />\n',
      'node_modules/@types/node/fs.d.ts': 'declare module "fs" { export function readFile(): void; }\n',
    });
    expect(paths(await closureOf('uses-node'))).toEqual(['node_modules/uses-node/package.json', 'node_modules/uses-node/index.d.ts']);
    expect(paths(await closureOf('@types/node'))).toEqual([
      'node_modules/@types/node/package.json',
      'node_modules/@types/node/index.d.ts',
      'node_modules/@types/node/fs.d.ts',
    ]);
  });

  it('never serves a file outside the package by path, nor one whose link leads out of the tree', async () => {
    await write(dir, { 'outside/secret.d.ts': 'export declare const SECRET: "leaked";\n', 'outside/package.json': pkg('outside') });
    await write(tree, {
      'node_modules/evil/package.json': pkg('evil', '1.0.0', { types: 'index.d.ts', exports: { '.': { types: './index.d.ts' }, './x': { types: '../../../outside/secret.d.ts' } } }),
      'node_modules/evil/index.d.ts': [
        '/// <reference path="../../../outside/secret.d.ts" />',
        'import "../../../outside/secret";',
        'import "../../../../../../../../outside/secret";',
        'export * from "../sibling/index";',
        'export * from "./link";',
        'export * from "escaped";',
        'export * from "/etc/passwd";',
        '',
      ].join('\n'),
      'node_modules/sibling/package.json': pkg('sibling', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/sibling/index.d.ts': 'export declare const sibling: 1;\n',
    });
    await symlink(path.join(dir, 'outside', 'secret.d.ts'), path.join(tree, 'node_modules/evil/link.d.ts'));
    // A whole package dir linked out of the tree: it reads as not installed.
    await symlink(path.join(dir, 'outside'), path.join(tree, 'node_modules/escaped'));

    const closure = await closureOf('evil');
    expect(paths(closure)).toEqual(['node_modules/evil/package.json', 'node_modules/evil/index.d.ts']);
    expect(closure.files.some((file) => file.content.includes('leaked'))).toBe(false);
    const error = await computeTypeClosure({ treeDir: tree, name: 'escaped' }).catch((e: unknown) => e);
    expect(isSpkError(error, 'NOT_FOUND')).toBe(true);
  });

  it('reads a linked-packages tree through the extracted store, serving logical paths', async () => {
    const dataDir = path.join(dir, 'data');
    const treeDir = path.join(dataDir, 'trees', 'a'.repeat(64));
    const store = path.join(dataDir, 'cache', 'extracted', 'ff00');
    await write(store, { 'package.json': pkg('linked', '3.0.0', { types: 'index.d.ts' }), 'index.d.ts': 'export declare const linked: 3;\n' });
    await mkdir(path.join(treeDir, 'node_modules'), { recursive: true });
    await symlink(path.relative(path.join(treeDir, 'node_modules'), store), path.join(treeDir, 'node_modules', 'linked'));

    const closure = await computeTypeClosure({ treeDir, name: 'linked', allowedRoots: [treeDir, path.dirname(store)] });
    expect(closure.files.map((file) => file.path)).toEqual(['file:///node_modules/linked/package.json', 'file:///node_modules/linked/index.d.ts']);
    // Without the store among the allowed roots (the default: the tree alone) the same link leads out of bounds.
    await expect(computeTypeClosure({ treeDir, name: 'linked' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('drops a file that would pass the ceiling, sets truncated and keeps the rest', async () => {
    await write(tree, {
      'node_modules/big/package.json': pkg('big', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/big/index.d.ts': 'export * from "./huge";\nexport * from "./small1";\nexport * from "./small2";\n',
      'node_modules/big/huge.d.ts': `export * from "./behind-huge";\n${'// padding\n'.repeat(1000)}`,
      'node_modules/big/behind-huge.d.ts': 'export declare const behind: 1;\n',
      'node_modules/big/small1.d.ts': 'export * from "./small3";\n',
      'node_modules/big/small2.d.ts': 'export declare const small2: 2;\n',
      'node_modules/big/small3.d.ts': 'export declare const small3: 3;\n',
    });
    const full = await closureOf('big');
    expect(full.truncated).toBe(false);
    const ceiling = full.bytes - 5000;
    const closure = await closureOf('big', ceiling);
    expect(closure.truncated).toBe(true);
    expect(closure.bytes).toBeLessThanOrEqual(ceiling);
    expect(paths(closure)).toEqual([
      'node_modules/big/package.json',
      'node_modules/big/index.d.ts',
      'node_modules/big/small1.d.ts',
      'node_modules/big/small2.d.ts',
      'node_modules/big/small3.d.ts',
    ]);
  });

  it('serves each file once when links inside the package loop back to its own directories', async () => {
    await write(tree, {
      'node_modules/loops/package.json': pkg('loops', '1.0.0', { exports: { './*': { types: './lib/*.d.ts' } } }),
      'node_modules/loops/lib/index.d.ts': `export * from "./self/again/self/index";\n${'export declare const padding: "x";\n'.repeat(700)}`,
    });
    await symlink('.', path.join(tree, 'node_modules/loops/lib/self'));
    await symlink('.', path.join(tree, 'node_modules/loops/lib/again'));
    const started = performance.now();
    const closure = await closureOf('loops');
    expect(paths(closure)).toEqual(['node_modules/loops/package.json', 'node_modules/loops/lib/index.d.ts']);
    expect(closure.truncated).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('stops at a package that links back to itself from its own node_modules', async () => {
    await write(tree, {
      'node_modules/cyc/package.json': pkg('cyc', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/cyc/index.d.ts': 'import type { C } from "cyc";\nexport interface C { c: 1 }\n',
    });
    await mkdir(path.join(tree, 'node_modules/cyc/node_modules'));
    await symlink('..', path.join(tree, 'node_modules/cyc/node_modules/cyc'));
    const closure = await closureOf('cyc');
    expect(paths(closure)).toEqual(['node_modules/cyc/package.json', 'node_modules/cyc/index.d.ts']);
  });

  it('serves a nested package.json of a sub-directory, whose `types` may point anywhere inside the package', async () => {
    await write(tree, {
      'node_modules/subs/package.json': pkg('subs', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/subs/index.d.ts': 'export * from "./sub";\n',
      'node_modules/subs/sub/package.json': { types: '../dist/sub.d.ts', description: 'trimmed away' },
      'node_modules/subs/dist/sub.d.ts': 'export * from "./sub2";\n',
      'node_modules/subs/dist/sub2.d.ts': 'export declare const sub2: 2;\n',
      'node_modules/subs/escape/package.json': { types: '../../other/index.d.ts' },
      'node_modules/other/package.json': pkg('other', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/other/index.d.ts': 'export declare const other: 1;\n',
      'node_modules/user/package.json': pkg('user', '1.0.0', { types: 'index.d.ts' }),
      'node_modules/user/index.d.ts': 'export * from "subs/sub";\nexport * from "subs/escape";\n',
    });
    const subs = await closureOf('subs');
    expect(paths(subs)).toEqual([
      'node_modules/subs/package.json',
      'node_modules/subs/index.d.ts',
      'node_modules/subs/sub/package.json',
      'node_modules/subs/dist/sub.d.ts',
      'node_modules/subs/dist/sub2.d.ts',
    ]);
    expect(JSON.parse(contentOf(subs, 'node_modules/subs/sub/package.json')!)).toEqual({ types: '../dist/sub.d.ts' });
    // A bare `pkg/sub` import of such a directory, and a nested `types` that leaves the package is refused.
    expect(paths(await closureOf('user'))).toEqual([
      'node_modules/user/package.json',
      'node_modules/user/index.d.ts',
      'node_modules/subs/package.json',
      'node_modules/subs/index.d.ts',
      'node_modules/subs/sub/package.json',
      'node_modules/subs/dist/sub.d.ts',
      'node_modules/subs/dist/sub2.d.ts',
    ]);
  });

  it('answers a closure for `exports` nested 20,000 deep, ignoring what lies too deep', async () => {
    let deep = '"./deep.d.ts"';
    for (let i = 0; i < 20_000; i++) deep = `{"import":${deep}}`;
    await write(tree, {
      'node_modules/deep/package.json': `{"name":"deep","version":"1.0.0","types":"index.d.ts","exports":{".":{"types":"./index.d.ts"},"./x":${deep}},"imports":{"#a/*":${deep.replace('./deep.d.ts', './*.d.ts')}}}`,
      'node_modules/deep/index.d.ts': 'export * from "#a/deep";\nexport declare const shallow: 1;\n',
      'node_modules/deep/deep.d.ts': 'export declare const deep: 1;\n',
    });
    const closure = await closureOf('deep');
    expect(paths(closure)).toEqual(['node_modules/deep/package.json', 'node_modules/deep/index.d.ts']);
    expect(JSON.parse(contentOf(closure, 'node_modules/deep/package.json')!).exports['.']).toEqual({ types: './index.d.ts' });
  });

  it('admits files in order against what is left of the ceiling, before reading any', () => {
    expect(admitInOrder([600, 600, null, 300, 200], 1000)).toEqual({ admitted: [true, false, false, true, false], truncated: true });
    expect(admitInOrder([600, null, 400], 1000)).toEqual({ admitted: [true, false, true], truncated: false });
  });

  it('answers notFound for a package without types, and NOT_FOUND for one not in the tree', async () => {
    await write(tree, { 'node_modules/untyped/package.json': pkg('untyped', '1.2.3', { main: 'index.js' }), 'node_modules/untyped/index.js': 'module.exports = 1;\n' });
    expect(await closureOf('untyped')).toEqual({
      name: 'untyped',
      version: '1.2.3',
      files: [],
      hasOwnTypes: false,
      hasAtTypes: false,
      notFound: true,
      truncated: false,
      bytes: 0,
    });
    await expect(computeTypeClosure({ treeDir: tree, name: 'absent' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('absent is not installed') });
    await expect(computeTypeClosure({ treeDir: tree, name: '../outside' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
