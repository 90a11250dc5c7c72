import { describe, expect, it } from 'vitest';
import { formatRegistry, formatRegistryAuth } from './format-registry.ts';
import { registryConfig } from './test-support/registry-config.ts';

describe('formatRegistry', () => {
  it('prints a fresh configuration with every setting named', () => {
    expect(formatRegistry(registryConfig())).toBe(
      [
        'registry:          https://registry.npmjs.org/ (no credentials)',
        'scoped registries: none',
        'auth:              none',
        'always-auth:       no',
        'ca:                the default trusted roots',
        'strict-ssl:        yes',
        'https-proxy:       none',
        'proxy:             none',
        'noproxy:           none',
        "timeout:           60 s per request (the server's SPK_REGISTRY_TIMEOUT_MS)",
        'secret key:        id 0123456789ab (seals the secrets above in the database)',
        'updated:           -',
      ].join('\n'),
    );
  });

  it('prints scopes, auth per registry as the server masked it, CA subjects and proxies, aligned', () => {
    const config = registryConfig({
      registry: 'https://npm.example/',
      hasToken: true,
      scopes: { '@zeta': 'https://z.example/', '@acme': 'https://npm.acme.example/private/' },
      auth: {
        '//npm.example/': { token: 'set, ends in …abcd', auth: null, username: null, password: null, alwaysAuth: false },
        '//npm.acme.example/private/': { token: null, auth: null, username: 'bob', password: 'set, but sealed with another key (ffffffffffff)', alwaysAuth: true },
      },
      alwaysAuth: true,
      ca: [{ subject: 'CN=Acme Root CA', validTo: 'Jan  1 00:00:00 2035 GMT', fingerprint256: 'AB:CD' }],
      strictSsl: false,
      httpsProxy: 'http://proxy.example:3128/',
      noproxy: ['localhost', '.internal.example'],
      updatedAt: '2025-01-02T03:04:05.000Z',
    });
    expect(formatRegistry(config)).toBe(
      [
        'registry:          https://npm.example/ (credentials set)',
        'scoped registries: @acme  https://npm.acme.example/private/',
        '                   @zeta  https://z.example/',
        'auth:              //npm.acme.example/private/  username bob; password set, but sealed with another key (ffffffffffff); always-auth',
        '                   //npm.example/               token set, ends in …abcd',
        'always-auth:       yes',
        'ca:                CN=Acme Root CA (valid to Jan  1 00:00:00 2035 GMT; sha256 AB:CD)',
        'strict-ssl:        no',
        'https-proxy:       http://proxy.example:3128/',
        'proxy:             none',
        'noproxy:           localhost, .internal.example',
        "timeout:           60 s per request (the server's SPK_REGISTRY_TIMEOUT_MS)",
        'secret key:        id 0123456789ab (seals the secrets above in the database)',
        'updated:           2025-01-02T03:04:05.000Z',
      ].join('\n'),
    );
  });

  it('says when an auth entry holds no credentials', () => {
    expect(formatRegistryAuth({ token: null, auth: null, username: null, password: null, alwaysAuth: false })).toBe('no credentials');
    expect(formatRegistryAuth({ token: null, auth: 'set', username: null, password: null, alwaysAuth: false })).toBe('_auth set');
  });
});
