import { isSpkError, type RegistryPackageResult, type RegistrySearchResult } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../args.ts';
import { commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { formatPackageInfo, formatSearch, runRegistryInfoCommand, SEARCH_SIZE, truncate } from './registry-info.ts';

const REGISTRY = 'https://registry.npmjs.org/';

const SEARCH: RegistrySearchResult = {
  registry: REGISTRY,
  results: [
    { name: 'zod', version: '3.23.8', description: 'TypeScript-first schema declaration and validation library with static type inference', date: null, deprecated: null },
    { name: 'zod-old', version: '0.1.0', description: null, date: null, deprecated: 'use zod' },
  ],
};

const INFO: RegistryPackageResult = {
  name: 'acc',
  registry: REGISTRY,
  version: '1.1.0',
  latest: '2.0.0',
  description: 'a package',
  license: 'MIT',
  homepage: 'https://acc.dev',
  repository: 'https://github.com/acme/acc',
  unpackedSize: 12_800,
  dependencyCount: 3,
  hasOwnTypes: false,
  typesPackage: '@types/acc',
  deprecated: 'use 2.x',
  hasInstallScript: true,
  distTags: { next: '3.0.0-beta.1', latest: '2.0.0' },
};

function context(json = false) {
  const search = recordingProcedure(() => SEARCH);
  const pkg = recordingProcedure(() => INFO);
  const { ctx, out } = commandContext({ registry: { search, package: pkg } }, { json });
  return { ctx, out, searches: search.inputs, infos: pkg.inputs };
}

describe('spk search and spk info arguments', () => {
  it('take one text or spec each, with --json', () => {
    expect(parseCliArgs(['search', 'date format', '--json'])).toMatchObject({ command: { kind: 'search', text: 'date format' }, global: { json: true } });
    expect(parseCliArgs(['info', 'zod@^3'])).toMatchObject({ command: { kind: 'info', spec: 'zod@^3' } });
    expect(() => parseCliArgs(['search'])).toThrow('"spk search" needs <text>');
    expect(() => parseCliArgs(['info', 'a', 'b'])).toThrow('unexpected argument "b" for "spk info"');
  });
});

describe('runRegistryInfoCommand', () => {
  it('searches with the CLI page size and prints a table with deprecated versions marked and long descriptions cut', async () => {
    const { ctx, out, searches } = context();
    await runRegistryInfoCommand(ctx, { kind: 'search', text: 'zod' });
    expect(searches).toEqual([{ text: 'zod', size: SEARCH_SIZE }]);
    expect(out.join('')).toBe(
      [
        'NAME     VERSION             DESCRIPTION',
        'zod      3.23.8              TypeScript-first schema declaration and validation library…',
        'zod-old  0.1.0 (deprecated)',
        '',
        `from ${REGISTRY}; details: spk info <name>`,
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing matches, naming the registry', () => {
    expect(formatSearch('nothing-like-it', { registry: REGISTRY, results: [] })).toBe(`no packages match "nothing-like-it" in the registry ${REGISTRY}`);
  });

  it('prints a package as a block: the picked version, its deprecation, and each fact on its own line', async () => {
    const { ctx, out, infos } = context();
    await runRegistryInfoCommand(ctx, { kind: 'info', spec: ' acc@^1 ' });
    expect(infos).toEqual([{ spec: 'acc@^1' }]);
    expect(out.join('')).toBe(`${formatPackageInfo(INFO)}\n`);
    expect(formatPackageInfo(INFO)).toBe(
      [
        'acc@1.1.0',
        'DEPRECATED: use 2.x',
        'description:      a package',
        'latest:           2.0.0',
        'license:          MIT',
        'homepage:         https://acc.dev',
        'repository:       https://github.com/acme/acc',
        'unpacked size:    12.5 KiB',
        'dependencies:     3',
        'types:            from @types/acc',
        'install scripts:  yes; hosts run them only once allowed (spk packages allow-scripts acc)',
        'dist-tags:        latest=2.0.0, next=3.0.0-beta.1',
        `registry:         ${REGISTRY}`,
      ].join('\n'),
    );
  });

  it('says what is unknown or absent rather than leaving blanks', () => {
    const bare = formatPackageInfo({ ...INFO, deprecated: null, description: null, unpackedSize: null, hasOwnTypes: true, typesPackage: null, hasInstallScript: false, homepage: null });
    expect(bare).not.toContain('DEPRECATED');
    expect(bare).toContain('description:      -\n');
    expect(bare).toContain('unpacked size:    unknown\n');
    expect(bare).toContain('types:            its own\n');
    expect(bare).toContain('install scripts:  none\n');
  });

  it('prints the raw answer with --json', async () => {
    const { ctx, out } = context(true);
    await runRegistryInfoCommand(ctx, { kind: 'info', spec: 'acc' });
    expect(JSON.parse(out.join(''))).toEqual(INFO);
  });

  it('refuses a spec that is no registry spec without asking the server', async () => {
    const { ctx, infos } = context();
    const error = await runRegistryInfoCommand(ctx, { kind: 'info', spec: 'github:acme/acc' }).catch((e: unknown) => e);
    expect(isSpkError(error, 'INVALID_SPEC')).toBe(true);
    expect(infos).toEqual([]);
  });
});

describe('truncate', () => {
  it('keeps short text, folds whitespace, and marks a cut', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('a\n  b', 10)).toBe('a b');
    expect(truncate('0123456789abc', 10)).toBe('012345678…');
    expect(truncate('one two three four', 16)).toBe('one two three…');
  });
});
