// Proves the private registries the scoped-registry tests stand on: a scope one user may read and
// publish while anyone else (another user, a wrong token, no token) is refused, the rest public,
// and still no uplink to the internet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftPackage } from './craft-package.ts';
import { packagePath } from './publish-package.ts';
import { startTestRegistry, type TestRegistry } from './start-registry.ts';

describe('a registry started with private scopes', () => {
  let registry: TestRegistry;
  const corpLib = craftPackage({ name: '@spk-corp/lib', version: '1.0.0', main: 'index.js' }, [{ path: 'package/index.js', content: 'module.exports = 1;\n' }]);
  const get = (name: string, token?: string) =>
    fetch(`${registry.url}${packagePath(name)}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    registry = await startTestRegistry({ privateScopes: { '@spk-corp': 'corp', '@spk-team': 'team' } });
  });
  afterAll(() => registry?.stop());

  it('creates each scope user with a password and a token', () => {
    expect(Object.keys(registry.users).sort()).toEqual(['corp', 'team']);
    for (const user of Object.values(registry.users)) {
      expect(user.password.length).toBeGreaterThanOrEqual(16);
      expect(user.token.length).toBeGreaterThanOrEqual(16);
    }
  });

  it('lets only the scope user publish and read, by token or by basic auth', async () => {
    await expect(registry.publish(corpLib, { token: registry.users.team!.token })).rejects.toThrow(/HTTP (401|403)/);
    await expect(registry.publish(corpLib)).rejects.toThrow(/HTTP (401|403)/);
    await registry.publish(corpLib, { token: registry.users.corp!.token });

    const byToken = await get('@spk-corp/lib', registry.users.corp!.token);
    expect(byToken.status).toBe(200);
    const packument = (await byToken.json()) as { versions: Record<string, { dist: { tarball: string } }> };
    const { corp } = registry.users;
    const basic = `Basic ${Buffer.from(`${corp!.name}:${corp!.password}`).toString('base64')}`;
    expect((await fetch(`${registry.url}${packagePath('@spk-corp/lib')}`, { headers: { authorization: basic } })).status).toBe(200);
    const tarball = await fetch(packument.versions['1.0.0']!.dist.tarball, { headers: { authorization: `Bearer ${corp!.token}` } });
    expect(Buffer.from(await tarball.arrayBuffer()).equals(corpLib.tarball)).toBe(true);
  });

  it('refuses the scope to another user, a wrong token and no token', async () => {
    expect([401, 403]).toContain((await get('@spk-corp/lib', registry.users.team!.token)).status);
    expect([401, 403]).toContain((await get('@spk-corp/lib', `${registry.users.corp!.token}x`)).status);
    expect([401, 403]).toContain((await get('@spk-corp/lib')).status);
    const tarballUrl = `${registry.url}/@spk-corp/lib/-/lib-1.0.0.tgz`;
    expect([401, 403]).toContain((await fetch(tarballUrl, { headers: { authorization: `Bearer ${registry.users.team!.token}` } })).status);
  });

  it('keeps everything else public and proxies nothing', async () => {
    const open = craftPackage({ name: 'spk-open-lib', version: '1.0.0' }, []);
    await registry.publish(open);
    expect((await get('spk-open-lib')).status).toBe(200);
    // `left-pad` exists on npmjs: a 404 means there is no uplink.
    expect((await get('left-pad')).status).toBe(404);
  });
});
