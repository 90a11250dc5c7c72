// Proves the seeded loopback registry behaves like the real one for what our installer relies on:
// packuments with correct integrity, byte-exact tarballs, 404 for unknown names (no uplink),
// an auth-only scope, and a fixture graph npm itself lays out as the fixtures README promises.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ssri from 'ssri';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { listFixtures } from './list-fixtures.ts';
import { packFixture } from './pack-fixture.ts';
import { packagePath } from './publish-package.ts';

const execFileAsync = promisify(execFile);
const registryUrl = inject('registryUrl');
const registryToken = inject('registryToken');
const fixtureIntegrities = inject('fixtureIntegrities');
const authHeaders = { authorization: `Bearer ${registryToken}` };

interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, { dist: { integrity: string; shasum: string; tarball: string } }>;
}

async function getPackument(name: string, headers: Record<string, string> = {}): Promise<Packument> {
  const response = await fetch(`${registryUrl}${packagePath(name)}`, { headers });
  expect(response.status, `GET ${name}`).toBe(200);
  return (await response.json()) as Packument;
}

describe('seeded fixture registry', () => {
  it('serves every fixture version with the integrity and bytes of its freshly packed tarball', async () => {
    const fixtures = await listFixtures();
    expect(Object.keys(fixtureIntegrities).sort()).toEqual(fixtures.map((f) => `${f.name}@${f.version}`).sort());

    for (const fixture of fixtures) {
      const spec = `${fixture.name}@${fixture.version}`;
      // Packed again in this process: equal digests also prove packing is reproducible.
      const packed = await packFixture(fixture.dir);
      expect(fixtureIntegrities[spec]?.integrity, spec).toBe(packed.integrity);

      const packument = await getPackument(fixture.name, authHeaders);
      const dist = packument.versions[fixture.version]?.dist;
      expect(dist?.integrity, spec).toBe(packed.integrity);
      expect(dist?.shasum, spec).toBe(packed.shasum);
      expect(dist?.tarball.startsWith(`${registryUrl}/`), spec).toBe(true);

      const download = await fetch(dist?.tarball ?? '', { headers: authHeaders });
      expect(download.status, spec).toBe(200);
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(bytes.equals(packed.tarball), spec).toBe(true);
      expect(ssri.checkData(bytes, packed.integrity), spec).toBeTruthy();
    }
  });

  it('points latest at the highest version, as the public registry would', async () => {
    expect((await getPackument('spk-fixture-esm'))['dist-tags'].latest).toBe('1.1.0');
    expect((await getPackument('spk-fixture-leaf'))['dist-tags'].latest).toBe('2.0.0');
  });

  it("serves a fixture's deprecation message and publishConfig.tag as the packument's, latest staying on the highest release", async () => {
    const packument = (await getPackument('spk-fixture-deprecated')) as Packument & { versions: Record<string, { deprecated?: string }> };
    expect(packument['dist-tags']).toEqual({ latest: '2.0.0', next: '3.0.0-beta.1' });
    expect(Object.fromEntries(Object.entries(packument.versions).map(([v, m]) => [v, m.deprecated ?? null]))).toEqual({
      '1.0.0': 'use 2.x',
      '1.1.0': '1.1.0 ships a broken build; use 2.x',
      '2.0.0': null,
      '3.0.0-beta.1': null,
    });
  });

  it('answers 404 for names it does not hold instead of proxying to the public registry', async () => {
    // `left-pad` exists on npmjs: a 404 here means there is no uplink to fetch it from.
    for (const name of ['spk-fixture-does-not-exist', 'left-pad', '@spk-fixtures/missing']) {
      const response = await fetch(`${registryUrl}${packagePath(name)}`);
      expect(response.status, name).toBe(404);
    }
  });

  it('serves @spk-private/secret only with a token', async () => {
    const anonymous = await fetch(`${registryUrl}${packagePath('@spk-private/secret')}`);
    expect([401, 403]).toContain(anonymous.status);

    const bogus = await fetch(`${registryUrl}${packagePath('@spk-private/secret')}`, {
      headers: { authorization: 'Bearer not-a-real-token' },
    });
    expect([401, 403]).toContain(bogus.status);

    const packument = await getPackument('@spk-private/secret', authHeaders);
    const tarball = packument.versions['1.0.0']?.dist.tarball ?? '';
    expect((await fetch(tarball)).status).toBeGreaterThanOrEqual(401);
    expect((await fetch(tarball, { headers: authHeaders })).status).toBe(200);
  });

  describe('npm install from the registry', () => {
    let workDir = '';
    afterAll(async () => {
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it('hoists spk-fixture-leaf@1 and nests spk-fixture-leaf@2 under spk-fixture-nested', async () => {
      workDir = await mkdtemp(path.join(os.tmpdir(), 'spk-npm-install-'));
      const project = path.join(workDir, 'project');
      const userRc = path.join(workDir, 'user-npmrc');
      const globalRc = path.join(workDir, 'global-npmrc');
      await writeFile(userRc, '');
      await writeFile(globalRc, '');
      await mkdir(project);
      await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'probe', private: true }));

      await execFileAsync(
        'npm',
        [
          'install', 'spk-fixture-nested@1.0.0', 'spk-fixture-cjs@1.0.0',
          '--registry', registryUrl, '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier',
          '--cache', path.join(workDir, 'cache'), '--userconfig', userRc, '--globalconfig', globalRc,
        ],
        // Drop npm_config_* inherited from `npx vitest` so only the flags above configure npm.
        { cwd: project, env: withoutNpmConfig(process.env), timeout: 50_000 },
      );

      const versionAt = async (dir: string) =>
        (JSON.parse(await readFile(path.join(project, dir, 'package.json'), 'utf8')) as { version: string }).version;
      expect(await versionAt('node_modules/spk-fixture-leaf')).toBe('1.0.0');
      expect(await versionAt('node_modules/spk-fixture-nested/node_modules/spk-fixture-leaf')).toBe('2.0.0');

      // Node's own resolution from each dependent picks the leaf the fixture graph intends.
      const { stdout } = await execFileAsync(
        process.execPath,
        ['--input-type=module', '-e', "import c from 'spk-fixture-cjs'; import { leafId } from 'spk-fixture-nested'; console.log(JSON.stringify([c.leafId, leafId]))"],
        { cwd: project },
      );
      expect(JSON.parse(stdout)).toEqual(['spk-fixture-leaf@1.0.0', 'spk-fixture-leaf@2.0.0']);

      // Everything came from our registry, with the integrity we seeded.
      const lock = JSON.parse(await readFile(path.join(project, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { version?: string; resolved?: string; integrity?: string }>;
      };
      const leaf2 = lock.packages['node_modules/spk-fixture-nested/node_modules/spk-fixture-leaf'];
      expect(leaf2?.resolved?.startsWith(`${registryUrl}/`)).toBe(true);
      expect(leaf2?.integrity).toBe(fixtureIntegrities['spk-fixture-leaf@2.0.0']?.integrity);
    });
  });
});

function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_config_/i.test(key)));
}
