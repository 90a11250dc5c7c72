import { describe, expect, it } from 'vitest';
import { hasTypesCondition, pickVersion, repositoryUrl, summarizePackument, versionsNewestFirst } from './packument.ts';

describe('summarizePackument', () => {
  const doc = {
    name: 'acc',
    'dist-tags': { latest: '2.0.0' },
    time: { created: '2024-01-01T00:00:00.000Z', '1.0.0': '2024-01-01T00:00:00.000Z', '2.0.0': '2024-02-01T00:00:00.000Z' },
    readme: 'x'.repeat(10_000),
    versions: {
      '1.0.0': {
        name: 'acc',
        version: '1.0.0',
        deprecated: 'use 2',
        license: { type: 'ISC', url: 'https://x' },
        repository: { type: 'git', url: 'git+https://github.com/acme/acc.git' },
        scripts: { postinstall: 'node build.js', test: 'vitest' },
        dependencies: { a: '^1', b: '^2' },
        dist: { tarball: 'https://r/acc-1.0.0.tgz', unpackedSize: 1234 },
      },
      '2.0.0': {
        name: 'acc',
        version: '2.0.0',
        deprecated: '',
        description: 'the second',
        license: 'MIT',
        homepage: 'https://acc.dev',
        repository: 'acme/acc',
        exports: { '.': { import: { types: './index.d.mts', default: './index.mjs' } } },
        gypfile: false,
        // Publishers write anything: one bad field must not hide the version.
        engines: 'node >= 18',
        dist: { unpackedSize: 'big' },
      },
      '3.0.0': 'not a manifest',
    },
  };

  it('keeps per version what the client reports, and npm key names for npm-pick-manifest', () => {
    const summary = summarizePackument('acc', doc);
    expect(summary).toEqual({
      name: 'acc',
      'dist-tags': { latest: '2.0.0' },
      time: { '1.0.0': '2024-01-01T00:00:00.000Z', '2.0.0': '2024-02-01T00:00:00.000Z' },
      versions: {
        '1.0.0': {
          version: '1.0.0',
          deprecated: 'use 2',
          description: null,
          license: 'ISC',
          homepage: null,
          repository: 'https://github.com/acme/acc',
          unpackedSize: 1234,
          dependencyCount: 2,
          hasOwnTypes: false,
          hasInstallScript: true,
        },
        '2.0.0': {
          version: '2.0.0',
          description: 'the second',
          license: 'MIT',
          homepage: 'https://acc.dev',
          repository: 'https://github.com/acme/acc',
          unpackedSize: null,
          dependencyCount: 0,
          hasOwnTypes: true,
          hasInstallScript: false,
        },
      },
    });
  });

  it('is null for a document without a versions map', () => {
    expect(summarizePackument('acc', { error: 'not found' })).toBeNull();
    expect(summarizePackument('acc', [])).toBeNull();
  });

  it('counts a native build (gypfile) and the registry\'s own hasInstallScript as install scripts', () => {
    const summary = summarizePackument('n', {
      versions: { '1.0.0': { version: '1.0.0', gypfile: true }, '2.0.0': { version: '2.0.0', hasInstallScript: true }, '3.0.0': { version: '3.0.0', scripts: { prepare: 'x' } } },
    });
    expect(Object.values(summary!.versions).map((v) => v.hasInstallScript)).toEqual([true, true, false]);
  });

  it('reads types from `types`, `typings` and the old `licenses` array', () => {
    const summary = summarizePackument('t', {
      versions: { '1.0.0': { version: '1.0.0', typings: 'lib/index.d.ts', licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] } },
    });
    expect(summary!.versions['1.0.0']).toMatchObject({ hasOwnTypes: true, license: 'MIT OR Apache-2.0' });
  });
});

describe('repositoryUrl', () => {
  it.each([
    ['github:acme/acc', 'https://github.com/acme/acc'],
    ['git@github.com:acme/acc.git', 'https://github.com/acme/acc'],
    ['bitbucket:acme/acc', 'https://bitbucket.org/acme/acc'],
    ['git+https://git.example.com/team/acc.git', 'https://git.example.com/team/acc'],
    ['git://git.example.com/acc.git', 'https://git.example.com/acc'],
    ['git+ssh://git@git.example.com/acc.git', 'ssh://git@git.example.com/acc'],
    ['https://ghp_secret@git.example.com/acc.git', 'https://git.example.com/acc'],
    ['https://user:pass@git.example.com/acc', 'https://git.example.com/acc'],
  ])('%s -> %s', (raw, expected) => {
    expect(repositoryUrl(raw)).toBe(expected);
  });

  it('is null without a repository', () => {
    expect(repositoryUrl(undefined)).toBeNull();
    expect(repositoryUrl({ url: ' ' })).toBeNull();
  });
});

describe('hasTypesCondition', () => {
  it('finds a types condition at any depth, in fallback arrays and versioned, and nothing else', () => {
    expect(hasTypesCondition({ types: './a.d.ts', default: './a.js' })).toBe(true);
    expect(hasTypesCondition({ './sub': [{ 'types@>=5': './s.d.ts' }, './s.js'] })).toBe(true);
    expect(hasTypesCondition({ '.': { import: './a.mjs', require: './a.cjs' } })).toBe(false);
    expect(hasTypesCondition('./index.js')).toBe(false);
  });
});

describe('pickVersion', () => {
  const summary = summarizePackument('acc', {
    'dist-tags': { latest: '1.1.0', next: '2.0.0-rc.1' },
    versions: {
      '1.0.0': { version: '1.0.0' },
      '1.1.0': { version: '1.1.0', deprecated: 'broken' },
      '2.0.0-rc.1': { version: '2.0.0-rc.1' },
    },
  })!;

  it('picks as npm does: a deprecated latest loses to a fine match, a tag is exact, nothing matching is null', () => {
    expect(pickVersion(summary, '^1')?.version).toBe('1.0.0');
    expect(pickVersion(summary, '1.1.0')?.version).toBe('1.1.0');
    expect(pickVersion(summary, 'next')?.version).toBe('2.0.0-rc.1');
    expect(pickVersion(summary, 'beta')).toBeNull();
    expect(pickVersion(summary, '^3')).toBeNull();
  });

  it('lists versions newest first', () => {
    expect(versionsNewestFirst(summary)).toEqual(['2.0.0-rc.1', '1.1.0', '1.0.0']);
  });
});
