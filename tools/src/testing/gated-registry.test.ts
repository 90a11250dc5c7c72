import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ssri from 'ssri';
import { startGatedRegistry, type GatedRegistry } from './gated-registry.ts';

const BEARER = 'Bearer gate-token-0123456789';

describe('gated registry', () => {
  let registry: GatedRegistry;
  const get = (url: string, authorization?: string) => fetch(url, authorization ? { headers: { authorization } } : {});

  beforeAll(async () => {
    registry = await startGatedRegistry({ tok: { scope: '@spk-gate', authorization: BEARER } });
  });
  afterAll(() => registry?.close());

  it('serves any name of its scope, packument and tarball, to the exact credentials only', async () => {
    const packumentUrl = `${registry.registryUrl('tok')}@spk-gate%2fanything`;
    expect((await get(packumentUrl)).status).toBe(401);
    expect((await get(packumentUrl, 'Bearer wrong')).status).toBe(401);
    const answer = await get(packumentUrl, BEARER);
    expect(answer.status).toBe(200);
    const packument = (await answer.json()) as { 'dist-tags': { latest: string }; versions: Record<string, { dist: { tarball: string; integrity: string } }> };
    const dist = packument.versions[packument['dist-tags'].latest]!.dist;
    expect(dist.tarball.startsWith(registry.registryUrl('tok'))).toBe(true);
    const tarball = Buffer.from(await (await get(dist.tarball, BEARER)).arrayBuffer());
    expect(ssri.checkData(tarball, dist.integrity)).toBeTruthy();
    expect(registry.seen.map((s) => s.authorized)).toEqual([false, false, true, true]);
  });

  it('answers every request with the chosen failure, and echoes the credentials in "echo" mode', async () => {
    const url = `${registry.registryUrl('tok')}@spk-gate%2fanything`;
    for (const status of [401, 403, 500] as const) {
      registry.setMode(status);
      expect((await get(url, BEARER)).status).toBe(status);
    }
    registry.setMode('echo');
    const echoed = await get(url, BEARER);
    expect(echoed.status).toBe(500);
    expect(await echoed.text()).toContain(BEARER);
    registry.setMode('ok');
    expect((await get(url, BEARER)).status).toBe(200);
  });

  it('answers 404 outside its scope and gates', async () => {
    expect((await get(`${registry.registryUrl('tok')}@other%2fx`, BEARER)).status).toBe(404);
    expect((await get(`${registry.url}/nope/x`, BEARER)).status).toBe(404);
  });
});
