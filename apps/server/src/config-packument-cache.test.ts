import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('the packument cache settings', () => {
  it('bound the cache at 256 MiB and use a document for 5 min unless set; 0 keeps none, or asks every time', () => {
    expect(loadConfig({})).toMatchObject({ packumentCacheBytes: 256 * 1024 * 1024, packumentMaxAgeMs: 300_000 });
    expect(loadConfig({ SPK_PACKUMENT_CACHE_MAX_MB: '64', SPK_PACKUMENT_MAX_AGE_S: '60' })).toMatchObject({ packumentCacheBytes: 64 * 1024 * 1024, packumentMaxAgeMs: 60_000 });
    expect(loadConfig({ SPK_PACKUMENT_CACHE_MAX_MB: '0', SPK_PACKUMENT_MAX_AGE_S: '0' })).toMatchObject({ packumentCacheBytes: 0, packumentMaxAgeMs: 0 });
  });

  it.each([
    ['SPK_PACKUMENT_CACHE_MAX_MB', '-1'],
    ['SPK_PACKUMENT_CACHE_MAX_MB', '1.5'],
    ['SPK_PACKUMENT_MAX_AGE_S', 'soon'],
    ['SPK_PACKUMENT_MAX_AGE_S', '86401'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
