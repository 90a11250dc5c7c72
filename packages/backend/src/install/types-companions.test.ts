import { describe, expect, it } from 'vitest';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import type { AvailableVersions } from '../registry/available-versions.ts';
import ts from 'typescript';
import { chooseCompanionVersion, chooseNodeTypesVersion, declaresOwnTypes, planCompanions, planNodeTypes, type TopLevelPackage, type TypesLookup } from './types-companions.ts';

describe('declaresOwnTypes', () => {
  it.each([
    ['a types field', { types: 'index.d.ts' }],
    ['a typings field', { typings: './lib/index.d.ts' }],
    ['typesVersions', { typesVersions: { '*': { '*': ['ts4/*'] } } }],
    ['a types condition at the root of exports', { exports: { types: './index.d.ts', default: './index.js' } }],
    ['a types condition in a subpath export', { exports: { '.': './index.js', './extra': { types: './extra.d.ts', default: './extra.js' } } }],
    ['a types condition nested under import/require', { exports: { '.': { import: { types: './index.d.mts', default: './index.mjs' }, require: './index.cjs' } } }],
    ['a versioned types condition our TypeScript satisfies', { exports: { '.': { 'types@>=5': './ts5/index.d.ts', default: './index.js' } } }],
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
    ['only a versioned types condition whose range leaves out our TypeScript', { exports: { '.': { 'types@<4.7': './old/index.d.ts', default: './index.js' } } }],
    ['only a versioned types condition with an invalid range', { exports: { 'types@not a range': './index.d.ts', default: './index.js' } }],
    ['a types condition only under a versioned one that does not apply', { exports: { 'types@<4': { types: './old.d.ts' }, default: './index.js' } }],
  ])('is false for %s', (_, manifest) => {
    expect(declaresOwnTypes(manifest)).toBe(false);
  });

  it('judges a versioned types condition by the TypeScript we ship, as the closure does', () => {
    const exact = (range: string) => declaresOwnTypes({ exports: { [`types@${range}`]: './index.d.ts' } });
    expect(exact(`>=${ts.version}`)).toBe(true);
    expect(exact(`>${ts.version}`)).toBe(false);
    expect(exact(`~${ts.versionMajorMinor}`)).toBe(true);
  });

  it('does not overflow the stack on an exports map nested 20,000 levels deep, and finds types near the top', () => {
    const nest = (leaf: unknown, depth: number) => {
      let value = leaf;
      for (let i = 0; i < depth; i++) value = { import: value };
      return value;
    };
    expect(declaresOwnTypes({ exports: nest({ types: './index.d.ts' }, 20_000) })).toBe(false);
    expect(declaresOwnTypes({ exports: nest([{ types: './index.d.ts' }], 20_000) })).toBe(false);
    expect(declaresOwnTypes({ exports: nest({ types: './index.d.ts' }, 8) })).toBe(true);
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

const failure = () => Object.assign(new Error('GET http://user:hunter2@registry.test/ failed'), { code: 'ECONNRESET' });

/** A lookup over a fixed registry that records what it was asked and fails for the names in `failing`. */
function registryLookup(registry: Record<string, AvailableVersions>, failing: ReadonlySet<string> = new Set()) {
  const asked: string[] = [];
  const lookup: TypesLookup = {
    async available(name) {
      asked.push(name);
      if (failing.has(name)) throw failure();
      return registry[name] ?? null;
    },
  };
  return { lookup, asked };
}

describe('planNodeTypes', () => {
  const registry = { '@types/node': offer(['18.0.0', '20.1.0', '20.2.0', '22.0.0'], '22.0.0') };

  function plan(declared: string[], options: { nodeMajor?: number; registry?: Record<string, AvailableVersions>; failing?: Set<string>; signal?: AbortSignal } = {}) {
    const lines: LogLine[] = [];
    const { lookup, asked } = registryLookup(options.registry ?? registry, options.failing);
    const result = planNodeTypes({
      declared: declared.map((name) => ({ name })),
      nodeMajor: options.nodeMajor ?? 20,
      lookup,
      logger: memoryLogger(lines),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { result, lines, asked };
  }

  it('gives the newest @types/node of the requested major', async () => {
    expect(await plan(['untyped']).result).toEqual({ name: '@types/node', version: '20.2.0' });
    expect(await plan([], { nodeMajor: 18 }).result).toEqual({ name: '@types/node', version: '18.0.0' });
  });

  it('asks nothing when the operator declared @types/node', async () => {
    const { result, asked } = plan(['untyped', '@types/node']);
    expect(await result).toBeNull();
    expect(asked).toEqual([]);
  });

  it('gives none, with an info line, when the registry has no release of the major or no @types/node at all', async () => {
    for (const options of [{ nodeMajor: 24 }, { registry: {} }]) {
      const { result, lines } = plan(['untyped'], options);
      expect(await result).toBeNull();
      expect(lines.map((l) => l.level)).toEqual(['info']);
      expect(lines[0]?.msg).toContain(`@types/node@${options.nodeMajor ?? 20}.x`);
    }
  });

  it('logs a failed lookup by code, without the registry\'s message, and gives none', async () => {
    const { result, lines } = plan(['untyped'], { failing: new Set(['@types/node']) });
    expect(await result).toBeNull();
    expect(lines.map((l) => [l.level, l.fields])).toEqual([['warn', { package: '@types/node', code: 'ECONNRESET' }]]);
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('stops when the install was aborted instead of treating the failed lookup as "none"', async () => {
    const controller = new AbortController();
    controller.abort(new Error('lease lost'));
    await expect(plan([], { failing: new Set(['@types/node']), signal: controller.signal }).result).rejects.toThrow('lease lost');
  });
});

describe('planCompanions', () => {
  const registry: Record<string, AvailableVersions> = {
    '@types/untyped': offer(['1.0.0', '1.2.0', '2.0.0'], '2.0.0'),
    '@types/scope__pkg': offer(['3.0.0'], '3.0.0'),
    '@types/typed': offer(['1.0.0'], '1.0.0'),
    '@types/node': offer(['20.2.0'], '20.2.0'),
  };
  const top = (name: string, version: string, manifest: unknown = { name, version }): TopLevelPackage => ({ name, version, manifest });

  function plan(declared: string[], topLevel: TopLevelPackage[], options: { failing?: Set<string>; signal?: AbortSignal } = {}) {
    const lines: LogLine[] = [];
    const { lookup, asked } = registryLookup(registry, options.failing);
    const result = planCompanions({
      declared: declared.map((name) => ({ name })),
      topLevel,
      lookup,
      logger: memoryLogger(lines),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { result, lines, asked };
  }

  it('adds the companion of each untyped declared package, chosen after its version, and never @types/node', async () => {
    const { result, asked } = plan(['untyped', '@scope/pkg'], [top('untyped', '1.2.3'), top('@scope/pkg', '3.1.0')]);
    expect(await result).toEqual([
      { name: '@types/scope__pkg', version: '3.0.0' },
      { name: '@types/untyped', version: '1.2.0' },
    ]);
    expect(asked.sort()).toEqual(['@types/scope__pkg', '@types/untyped']);
  });

  it('asks nothing for a typed package, an @types package, or a companion already declared or at the top level', async () => {
    const { result, asked } = plan(
      ['typed', '@types/other', 'with-dep', 'untyped', '@types/untyped'],
      [top('typed', '1.0.0', { types: 'index.d.ts' }), top('@types/other', '1.0.0'), top('with-dep', '1.0.0'), top('@types/with-dep', '1.0.0'), top('untyped', '1.0.0')],
    );
    expect(await result).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('treats a companion the registry lacks as none, without a warning', async () => {
    const { result, lines } = plan(['no-companion'], [top('no-companion', '1.0.0')]);
    expect(await result).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('logs a failed lookup by code, without the registry\'s message, and carries on with the rest', async () => {
    const { result, lines } = plan(['untyped', '@scope/pkg'], [top('untyped', '1.0.0'), top('@scope/pkg', '3.0.0')], { failing: new Set(['@types/untyped']) });
    expect(await result).toEqual([{ name: '@types/scope__pkg', version: '3.0.0' }]);
    const warning = lines.find((l) => l.level === 'warn');
    expect(warning?.fields).toMatchObject({ package: '@types/untyped', code: 'ECONNRESET' });
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('stops when the install was aborted instead of treating the failed lookup as "no companion"', async () => {
    const controller = new AbortController();
    controller.abort(new Error('lease lost'));
    const { result } = plan(['untyped'], [top('untyped', '1.0.0')], { failing: new Set(['@types/untyped']), signal: controller.signal });
    await expect(result).rejects.toThrow('lease lost');
  });
});
