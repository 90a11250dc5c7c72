import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, listFixtures, orderForPublish, type FixtureRef } from './list-fixtures.ts';

const ref = (name: string, version: string, dependsOn: string[] = []): FixtureRef => ({ name, version, dir: `/x/${name}/${version}`, dependsOn });
const specs = (fixtures: FixtureRef[]) => fixtures.map((fixture) => `${fixture.name}@${fixture.version}`);

describe('orderForPublish', () => {
  it('publishes dependencies before dependents and versions in ascending semver order', () => {
    const ordered = orderForPublish([
      ref('a-app', '1.0.0', ['z-lib']),
      ref('z-lib', '10.0.0'),
      ref('z-lib', '9.0.0'),
      ref('m-mid', '1.0.0', ['z-lib']),
    ]);
    expect(specs(ordered)).toEqual(['z-lib@9.0.0', 'z-lib@10.0.0', 'a-app@1.0.0', 'm-mid@1.0.0']);
  });

  it('refuses a dependency cycle instead of looping', () => {
    expect(() => orderForPublish([ref('a', '1.0.0', ['b']), ref('b', '1.0.0', ['a'])])).toThrow(/cycle: a -> b -> a/);
  });
});

describe('listFixtures', () => {
  let root = '';
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function writeFixture(relativeDir: string, manifest: Record<string, unknown>): Promise<void> {
    await mkdir(path.join(root, relativeDir), { recursive: true });
    await writeFile(path.join(root, relativeDir, 'package.json'), JSON.stringify(manifest));
  }

  it('finds scoped and unscoped fixtures and keeps only dependencies that are fixtures', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'spk-fixtures-'));
    await writeFixture('@s/lib/1.0.0', { name: '@s/lib', version: '1.0.0' });
    await writeFixture('app/1.0.0', { name: 'app', version: '1.0.0', dependencies: { '@s/lib': '^1', 'left-pad': '1' } });

    const fixtures = await listFixtures(root);
    expect(specs(fixtures)).toEqual(['@s/lib@1.0.0', 'app@1.0.0']);
    expect(fixtures[1]?.dependsOn).toEqual(['@s/lib']);
  });

  it('rejects a fixture whose package.json disagrees with its folder', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'spk-fixtures-'));
    await writeFixture('app/1.0.0', { name: 'app', version: '1.0.1' });
    await expect(listFixtures(root)).rejects.toThrow(/app@1\.0\.1/);
  });

  it('lists every fixture and version the README table promises, and the README lists every fixture', async () => {
    const readme = await readFile(path.join(FIXTURES_DIR, 'README.md'), 'utf8');
    // Rows of the table: | `name` | 1.0.0, 1.1.0 | what it is for |
    const promised = [...readme.matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm)].flatMap(([, name, versions]) =>
      versions!.split(',').map((version) => `${name}@${version.trim()}`),
    );
    expect(promised.length).toBeGreaterThan(20);
    const listed = specs(await listFixtures());
    expect(listed.filter((spec) => !promised.includes(spec)), 'fixtures the README does not list').toEqual([]);
    expect(promised.filter((spec) => !listed.includes(spec)), 'README rows without a fixture').toEqual([]);
  });
});
