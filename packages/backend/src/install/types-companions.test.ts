import { describe, expect, it } from 'vitest';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import type { AvailableVersions } from '../registry/available-versions.ts';
import { chooseCompanionVersion, chooseNodeTypesVersion, declaresOwnTypes, planTypeAdditions, type TopLevelPackage } from './types-companions.ts';

describe('declaresOwnTypes', () => {
  it.each([
    ['a types field', { types: 'index.d.ts' }],
    ['a typings field', { typings: './lib/index.d.ts' }],
    ['typesVersions', { typesVersions: { '*': { '*': ['ts4/*'] } } }],
    ['a types condition at the root of exports', { exports: { types: './index.d.ts', default: './index.js' } }],
    ['a types condition in a subpath export', { exports: { '.': './index.js', './extra': { types: './extra.d.ts', default: './extra.js' } } }],
    ['a types condition nested under import/require', { exports: { '.': { import: { types: './index.d.mts', default: './index.mjs' }, require: './index.cjs' } } }],
    ['a versioned types condition', { exports: { '.': { 'types@>=5': './ts5/index.d.ts', default: './index.js' } } }],
    ['a types condition inside a fallback array', { exports: { '.': [{ types: './index.d.ts' }, './index.js'] } }],
  ])('is true for %s', (_, manifest) => {
    expect(declaresOwnTypes(manifest)).toBe(true);
  });

  it.each([
    ['only main', { main: 'index.js' }],
    ['exports without a types condition', { exports: { '.': { import: './index.mjs', require: './index.cjs' }, './package.json': './package.json' } }],
    ['a string export', { exports: './index.js' }],
    ['an empty types field', { types: '' }],
    ['a subpath named like a condition', { exports: { './types': './types.js' } }],
    ['no manifest', undefined],
  ])('is false for %s', (_, manifest) => {
    expect(declaresOwnTypes(manifest)).toBe(false);
  });
});

const offer = (versions: string[], latest?: string): AvailableVersions => ({ versions, distTags: latest ? { latest } : {} });

describe('chooseCompanionVersion', () => {
  const types = offer(['3.4.0', '4.16.0', '4.17.1', '4.17.9', '4.18.0-beta.1', '5.0.0', '5.1.2'], '5.1.2');

  it('takes the newest companion in the package\'s major.minor', () => {
    expect(chooseCompanionVersion('4.17.21', types)).toBe('4.17.9');
  });
  it('falls back to the newest in the package\'s major when its minor has none', () => {
    expect(chooseCompanionVersion('4.19.0', types)).toBe('4.17.9');
    expect(chooseCompanionVersion('3.10.1', types)).toBe('3.4.0');
  });
  it('falls back to latest when the major has none', () => {
    expect(chooseCompanionVersion('6.0.0', types)).toBe('5.1.2');
    expect(chooseCompanionVersion('not-semver', types)).toBe('5.1.2');
  });
  it('never takes a prerelease by range, and gives null when nothing fits and latest is missing', () => {
    expect(chooseCompanionVersion('4.18.0', types)).toBe('4.17.9');
    expect(chooseCompanionVersion('6.0.0', offer(['1.0.0']))).toBeNull();
    expect(chooseCompanionVersion('6.0.0', offer(['1.0.0'], '9.9.9'))).toBeNull();
  });
  it('keeps 0.x minors apart', () => {
    expect(chooseCompanionVersion('0.3.1', offer(['0.2.5', '0.3.0', '0.3.4', '0.4.0'], '0.4.0'))).toBe('0.3.4');
  });
});

describe('chooseNodeTypesVersion', () => {
  const node = offer(['18.0.0', '20.1.0', '20.2.0', '20.10.0-rc.1', '22.0.0'], '22.0.0');
  it('takes the newest release of the hosts\' Node major', () => {
    expect(chooseNodeTypesVersion(20, node)).toBe('20.2.0');
    expect(chooseNodeTypesVersion(18, node)).toBe('18.0.0');
  });
  it('gives null when the major has no release, rather than another major', () => {
    expect(chooseNodeTypesVersion(24, node)).toBeNull();
  });
});

describe('planTypeAdditions', () => {
  const registry: Record<string, AvailableVersions> = {
    '@types/untyped': offer(['1.0.0', '1.2.0', '2.0.0'], '2.0.0'),
    '@types/scope__pkg': offer(['3.0.0'], '3.0.0'),
    '@types/typed': offer(['1.0.0'], '1.0.0'),
    '@types/node': offer(['18.0.0', '20.1.0', '20.2.0'], '20.2.0'),
  };
  const top = (name: string, version: string, manifest: unknown = { name, version }): TopLevelPackage => ({ name, version, manifest });

  function plan(declared: string[], topLevel: TopLevelPackage[], options: { nodeMajor?: number; failing?: Set<string>; signal?: AbortSignal } = {}) {
    const lines: LogLine[] = [];
    const asked: string[] = [];
    const result = planTypeAdditions({
      declared: declared.map((name) => ({ name })),
      topLevel,
      nodeMajor: options.nodeMajor ?? 20,
      logger: memoryLogger(lines),
      ...(options.signal ? { signal: options.signal } : {}),
      lookup: {
        async available(name) {
          asked.push(name);
          if (options.failing?.has(name)) throw Object.assign(new Error('GET http://user:hunter2@registry.test/ failed'), { code: 'ECONNRESET' });
          return registry[name] ?? null;
        },
      },
    });
    return { result, lines, asked };
  }

  it('adds the companion of an untyped declared package and @types/node of the requested major', async () => {
    const { result } = plan(['untyped', '@scope/pkg'], [top('untyped', '1.2.3'), top('@scope/pkg', '3.1.0')]);
    expect(await result).toEqual([
      { name: '@types/node', version: '20.2.0' },
      { name: '@types/scope__pkg', version: '3.0.0' },
      { name: '@types/untyped', version: '1.2.0' },
    ]);
  });

  it('asks nothing for a typed package, an @types package, or a companion already declared or at the top level', async () => {
    const { result, asked } = plan(
      ['typed', '@types/other', 'with-dep'],
      [top('typed', '1.0.0', { types: 'index.d.ts' }), top('@types/other', '1.0.0'), top('with-dep', '1.0.0'), top('@types/with-dep', '1.0.0'), top('@types/node', '20.1.0')],
    );
    expect(await result).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('replaces an @types/node of another major that a dependency pulled to the top level', async () => {
    const { result, asked } = plan(['typed'], [top('typed', '1.0.0', { types: 'index.d.ts' }), top('@types/node', '26.0.0')]);
    expect(await result).toEqual([{ name: '@types/node', version: '20.2.0' }]);
    expect(asked).toEqual(['@types/node']);
  });

  it('counts a declared companion as present even when it is not at the top level yet', async () => {
    const { result, asked } = plan(['untyped', '@types/untyped', '@types/node'], [top('untyped', '1.0.0')]);
    expect(await result).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('treats a companion the registry lacks as none, and an @types/node without the major as an info line', async () => {
    const { result, lines } = plan(['no-companion'], [top('no-companion', '1.0.0')], { nodeMajor: 24 });
    expect(await result).toEqual([]);
    expect(lines.filter((l) => l.level !== 'info')).toEqual([]);
    expect(lines.find((l) => l.level === 'info')?.msg).toContain('@types/node@24.x');
  });

  it('logs a failed lookup by code, without the registry\'s message, and carries on with the rest', async () => {
    const { result, lines } = plan(['untyped', '@scope/pkg'], [top('untyped', '1.0.0'), top('@scope/pkg', '3.0.0')], { failing: new Set(['@types/untyped']) });
    expect(await result).toEqual([
      { name: '@types/node', version: '20.2.0' },
      { name: '@types/scope__pkg', version: '3.0.0' },
    ]);
    const warning = lines.find((l) => l.level === 'warn');
    expect(warning?.fields).toMatchObject({ package: '@types/untyped', code: 'ECONNRESET' });
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('stops when the install was aborted instead of treating the failed lookup as "no companion"', async () => {
    const controller = new AbortController();
    controller.abort(new Error('lease lost'));
    const { result } = plan(['untyped'], [top('untyped', '1.0.0')], { failing: new Set(['@types/untyped', '@types/node']), signal: controller.signal });
    await expect(result).rejects.toThrow('lease lost');
  });
});
