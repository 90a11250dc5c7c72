// Finds the fixture packages under tools/fixtures (`<name>/<version>/` folders) and orders them
// for publishing: a package's fixture dependencies first, and each package's versions ascending so
// its `latest` dist-tag ends on the highest version, as it would on the public registry.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures', import.meta.url));

export interface FixtureRef {
  name: string;
  version: string;
  dir: string;
  /** Names of other fixtures this version depends on (any dependency kind). */
  dependsOn: string[];
}

const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

export async function listFixtures(fixturesDir: string = FIXTURES_DIR): Promise<FixtureRef[]> {
  const found: Array<Omit<FixtureRef, 'dependsOn'> & { deps: string[] }> = [];
  for (const packageDir of await listPackageDirs(fixturesDir)) {
    for (const version of await subdirectories(packageDir)) {
      const dir = path.join(packageDir, version);
      const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      const name = path.relative(fixturesDir, packageDir).split(path.sep).join('/');
      // The folder is how people find a fixture; a manifest that disagrees would publish a surprise.
      if (manifest.name !== name || manifest.version !== version || !semver.valid(version)) {
        throw new Error(`fixture ${dir}: package.json says ${String(manifest.name)}@${String(manifest.version)}`);
      }
      const deps = DEPENDENCY_FIELDS.flatMap((field) => Object.keys((manifest[field] as Record<string, string>) ?? {}));
      found.push({ name, version, dir, deps });
    }
  }
  const names = new Set(found.map((fixture) => fixture.name));
  return orderForPublish(
    found.map(({ deps, ...fixture }) => ({ ...fixture, dependsOn: deps.filter((dep) => names.has(dep)) })),
  );
}

/** Dependencies before dependents, versions ascending, ties by name: deterministic and pure. */
export function orderForPublish(fixtures: FixtureRef[]): FixtureRef[] {
  const byName = new Map<string, FixtureRef[]>();
  for (const fixture of fixtures) byName.set(fixture.name, [...(byName.get(fixture.name) ?? []), fixture]);

  const ordered: FixtureRef[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`fixture dependency cycle: ${[...trail, name].join(' -> ')}`);
    state.set(name, 'visiting');
    const versions = byName.get(name) ?? [];
    const deps = [...new Set(versions.flatMap((fixture) => fixture.dependsOn))].sort();
    for (const dep of deps) if (byName.has(dep)) visit(dep, [...trail, name]);
    ordered.push(...[...versions].sort((a, b) => semver.compare(a.version, b.version)));
    state.set(name, 'done');
  };
  for (const name of [...byName.keys()].sort()) visit(name, []);
  return ordered;
}

// Top-level folders are packages, except `@scope` folders, whose children are.
async function listPackageDirs(fixturesDir: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const entry of await subdirectories(fixturesDir)) {
    const full = path.join(fixturesDir, entry);
    if (entry.startsWith('@')) dirs.push(...(await subdirectories(full)).map((child) => path.join(full, child)));
    else dirs.push(full);
  }
  return dirs;
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}
