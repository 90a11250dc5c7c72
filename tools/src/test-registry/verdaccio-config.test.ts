import { describe, expect, it } from 'vitest';
import { buildVerdaccioConfig, PRIVATE_SCOPE, privateScopeRules } from './verdaccio-config.ts';

const base = { storageDir: '/s', htpasswdFile: '/h', logLevel: 'warn' as const };

describe('verdaccio config', () => {
  it('keeps the fixture registry as it was: the private scope for any logged-in user, everything else public, no uplinks', () => {
    const config = buildVerdaccioConfig(base);
    expect(config.uplinks).toEqual({});
    expect(Object.keys(config.packages as object)).toEqual([`${PRIVATE_SCOPE}/*`, '**']);
    expect((config.packages as Record<string, unknown>)[`${PRIVATE_SCOPE}/*`]).toMatchObject({ access: '$authenticated' });
  });

  it('restricts each private scope to its user, ahead of the catch-all, and keeps no uplink on any rule', () => {
    const config = buildVerdaccioConfig({ ...base, privateScopes: { '@spk-corp': 'corp', '@spk-team': 'team' } });
    const packages = config.packages as Record<string, Record<string, string>>;
    // Verdaccio takes the first matching rule: a scope after `**` would be public.
    expect(Object.keys(packages)).toEqual(['@spk-corp/*', '@spk-team/*', `${PRIVATE_SCOPE}/*`, '**']);
    expect(packages['@spk-corp/*']).toEqual({ access: 'corp', publish: 'corp', unpublish: 'corp' });
    expect(packages['@spk-team/*']).toEqual({ access: 'team', publish: 'team', unpublish: 'team' });
    expect(packages['**']).toEqual({ access: '$all', publish: '$all', unpublish: '$all' });
    for (const rule of Object.values(packages)) expect(rule).not.toHaveProperty('proxy');
    expect(config.uplinks).toEqual({});
  });

  it.each([
    [{ 'spk-corp': 'corp' }, /must be written "@name"/],
    [{ '@Spk-Corp': 'corp' }, /must be written "@name"/],
    [{ [PRIVATE_SCOPE]: 'corp' }, /fixture registry's own private scope/],
    [{ '@spk-corp': '$authenticated' }, /not a usable registry user name/],
    [{ '@spk-corp': 'all' }, /not a usable registry user name/],
  ])('refuses %j rather than leave a scope open by a typo', (scopes, message) => {
    expect(() => privateScopeRules(scopes)).toThrow(message);
  });
});
