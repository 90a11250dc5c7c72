// `spk packages scripts | allow-scripts | disallow-scripts` as a shell sees them: the real bin
// against a real server (the policy in its database), and the REST routes with a scoped name in
// the `{+name}` path. What hosts then run is proven in apps/server/src/install-scripts.int.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '@spk/tools';
import { EXIT } from './exit-codes.ts';
import { runSpk } from './test-support/run-spk.ts';

describe('the install-scripts policy through the spk bin', () => {
  let server: SpawnedServer;
  const spk = (...args: string[]) => runSpk(args, { env: { SPK_SERVER: server.url, SPK_TOKEN: server.token } });

  beforeAll(async () => {
    server = await spawnServer();
  });
  afterAll(() => server?.stop());

  it('allows and disallows by name, each answer saying it takes effect at the next install', async () => {
    const empty = await spk('packages', 'scripts');
    expect(empty, empty.stderr).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(empty.stdout).toBe(
      'no package of the desired tree has install scripts\n\nno package is allowed to run install scripts (allow one with `spk packages allow-scripts <name>`)\n',
    );

    const allowed = await spk('packages', 'allow-scripts', 'esbuild');
    expect(allowed, allowed.stderr).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(allowed.stdout).toContain('it takes effect at the next install (`spk install`)');
    const json = await spk('packages', 'scripts', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ allowed: [{ name: 'esbuild', allowedAt: expect.any(String) }], withScripts: [] });

    const disallowed = await spk('packages', 'disallow-scripts', 'esbuild');
    expect(disallowed).toMatchObject({ code: EXIT.OK, stdout: 'disallowed the install scripts of esbuild; it takes effect at the next install (`spk install`)\n' });
  });

  it('refuses a name that is not allowed (exit 1) or not a package name (exit 2), saying what to do', async () => {
    const notAllowed = await spk('packages', 'disallow-scripts', 'left-pad');
    expect(notAllowed.code).toBe(EXIT.FAILURE);
    expect(notAllowed.stderr).toContain('"left-pad" is not allowed to run install scripts, so there is nothing to disallow; list the allowed names with "spk packages scripts"');
    const invalid = await spk('packages', 'allow-scripts', 'Not Valid');
    expect(invalid.code).toBe(EXIT.INVALID);
    const json = await spk('packages', 'disallow-scripts', 'left-pad', '--json');
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('takes a scoped name in the REST path, slash included', async () => {
    const call = (method: string, route: string) => fetch(`${server.url}/api${route}`, { method, headers: { authorization: `Bearer ${server.token}` } });
    const put = await call('PUT', '/install-scripts/@spk-fixtures/scoped');
    expect(put.status).toBe(200);
    expect(((await put.json()) as { allowed: Array<{ name: string }> }).allowed.map((a) => a.name)).toEqual(['@spk-fixtures/scoped']);
    expect((await call('DELETE', '/install-scripts/@spk-fixtures/scoped')).status).toBe(200);
    expect((await call('DELETE', '/install-scripts/@spk-fixtures/scoped')).status).toBe(404);
  });
});
