import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registryConfigSchema } from '@spk/common';
import { registrySettings } from '../testing/registry-settings.ts';
import { makeSelfSignedCertificate } from '../testing/self-signed-certificate.ts';
import { maskSecret, registryConfigView } from './registry-view.ts';

const TOKEN = 'npm_secretTokenValue0123abcd';
const AUTH = Buffer.from('user:auth-password-1234').toString('base64');
const PASSWORD = 'mirror-password-wxyz';

const settings = registrySettings({
  registry: 'https://npm.example.com/mirror/',
  scopes: { '@acme': 'https://npm.acme.internal/' },
  auth: {
    '//npm.acme.internal/': { token: TOKEN },
    '//npm.example.com/mirror/': { username: 'mirror-user', password: PASSWORD, alwaysAuth: true },
    '//127.0.0.1:4873/': { auth: AUTH, token: 'short' },
  },
  strictSsl: false,
  httpsProxy: 'http://proxy.example.com:3128',
  noproxy: ['.internal'],
});
const certificate = makeSelfSignedCertificate('spk view ca');
const meta = { timeoutMs: 60_000, secretKeyId: '0123456789ab', updatedAt: new Date('2026-01-02T03:04:05.000Z') };

describe('maskSecret', () => {
  it('shows the last four characters of a secret of 12 or more, and only "set" of a shorter one', () => {
    expect(maskSecret('abcdefghijkl')).toBe('set, ends in …ijkl');
    expect(maskSecret('abcdefghijk')).toBe('set');
    expect(maskSecret('x')).toBe('set');
  });
});

describe('registryConfigView', () => {
  it('shows the whole configuration with every secret masked', () => {
    const view = registryConfigView(settings, meta);
    expect(registryConfigSchema.parse(view)).toEqual(view);
    expect(view).toEqual({
      registry: 'https://npm.example.com/mirror/',
      url: 'https://npm.example.com/mirror/',
      hasToken: true,
      scopes: { '@acme': 'https://npm.acme.internal/' },
      auth: {
        '//npm.acme.internal/': { token: 'set, ends in …abcd', auth: null, username: null, password: null, alwaysAuth: false },
        '//npm.example.com/mirror/': { token: null, auth: null, username: 'mirror-user', password: 'set, ends in …wxyz', alwaysAuth: true },
        '//127.0.0.1:4873/': { token: 'set', auth: `set, ends in …${AUTH.slice(-4)}`, username: null, password: null, alwaysAuth: false },
      },
      alwaysAuth: false,
      ca: null,
      strictSsl: false,
      httpsProxy: 'http://proxy.example.com:3128',
      proxy: null,
      noproxy: ['.internal'],
      timeoutMs: 60_000,
      secretKeyId: '0123456789ab',
      updatedAt: '2026-01-02T03:04:05.000Z',
    });
    const shown = JSON.stringify(view);
    for (const secret of [TOKEN, AUTH, PASSWORD, 'short']) expect(shown).not.toContain(secret);
  });

  it('says the default registry has no token when only a scope has one, and redacts credentials left in a URL', () => {
    const view = registryConfigView(
      { ...settings, registry: 'https://user:hunter2@old.example.com/', auth: { '//npm.acme.internal/': { token: TOKEN } } },
      { ...meta, updatedAt: null },
    );
    expect(view).toMatchObject({ registry: 'https://***@old.example.com/', url: 'https://***@old.example.com/', hasToken: false, updatedAt: null });
  });

  it('describes each CA certificate by subject, expiry and fingerprint, and an unreadable one as such', () => {
    const x509 = new X509Certificate(certificate.cert);
    const broken = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    expect(registryConfigView({ ...settings, ca: [certificate.cert, broken] }, meta).ca).toEqual([
      { subject: 'CN=spk view ca', validTo: x509.validTo, fingerprint256: x509.fingerprint256 },
      { subject: 'unreadable certificate', validTo: '', fingerprint256: '' },
    ]);
  });
});
