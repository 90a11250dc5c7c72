// `spk search` and `spk info` as a shell sees them: the real bin against a real server whose
// registry is the fixture Verdaccio, through the HTTP routes (query input, `{+name}` paths).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PRIVATE_SCOPE, spawnServer, type SpawnedServer } from '@spk/tools';
import { EXIT } from './exit-codes.ts';
import { runSpk } from './test-support/run-spk.ts';

describe('spk search and spk info against a real server', () => {
  let server: SpawnedServer;
  const spk = (...args: string[]) => runSpk(args, { env: { SPK_SERVER: server.url, SPK_TOKEN: server.token } });
  const registry = () => `${inject('registryUrl')}/`;

  beforeAll(async () => {
    server = await spawnServer();
    expect((await spk('registry', 'set', inject('registryUrl'))).code).toBe(EXIT.OK);
  });
  afterAll(() => server?.stop());

  it('lists what the registry finds for a text, and the raw answer with --json', async () => {
    const table = await spk('search', 'spk-fixture-dep');
    expect(table, table.stderr).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(table.stdout).toBe(
      [
        'NAME                    VERSION  DESCRIPTION',
        'spk-fixture-deprecated  2.0.0    Fixture: 1.x deprecated, 2.0.0 latest, 3.0.0-beta.1 under…',
        '',
        `from ${registry()}; details: spk info <name>`,
        '',
      ].join('\n'),
    );
    const json = await spk('search', 'spk-fixture-dep', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ registry: registry(), results: [{ name: 'spk-fixture-deprecated', version: '2.0.0' }] });
  });

  it('describes the version a range picks, with its deprecation', async () => {
    const info = await spk('info', 'spk-fixture-deprecated@^1');
    expect(info, info.stderr).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(info.stdout).toMatch(/^spk-fixture-deprecated@1\.1\.0\nDEPRECATED: 1\.1\.0 ships a broken build; use 2\.x\n/);
    expect(info.stdout).toContain('dist-tags:        latest=2.0.0, next=3.0.0-beta.1\n');
    const json = await spk('info', 'spk-fixture-untyped', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'spk-fixture-untyped', version: '1.0.0', hasOwnTypes: false, typesPackage: '@types/spk-fixture-untyped' });
  });

  it('fails naming the registry for a package it lacks, and for a private one without a token', async () => {
    const missing = await spk('info', 'spk-fixture-nope');
    expect(missing.code).not.toBe(EXIT.OK);
    expect(missing.stderr).toBe(`spk: no package spk-fixture-nope in the registry ${registry()} [PACKAGE_NOT_FOUND]\n`);
    const refused = await spk('info', `${PRIVATE_SCOPE}/secret`);
    expect(refused.code).not.toBe(EXIT.OK);
    expect(refused.stderr).toMatch(new RegExp(`^spk: the token for ${registry().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is missing or wrong \\(HTTP 40[13]\\)`));
  });
});
