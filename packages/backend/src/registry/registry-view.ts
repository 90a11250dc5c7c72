// What the API shows of the registry configuration: the whole of it, every secret masked as
// "set, ends in …abcd", every URL with its credentials redacted, CA certificates described by
// subject, expiry and fingerprint rather than repeated.
import { X509Certificate } from 'node:crypto';
import { redactUrlCredentials, type RegistryAuth, type RegistryAuthView, type RegistryConfig, type RegistrySettings } from '@spk/common';
import { authForUrl } from './request-options.ts';

/** Below this length, showing even the last four characters gives away too much of a secret. */
const MIN_SHOWN_LENGTH = 12;
const SHOWN_TAIL = 4;

/** "set, ends in …abcd"; just "set" when the secret is too short to show any of it safely. */
export function maskSecret(secret: string): string {
  return secret.length < MIN_SHOWN_LENGTH ? 'set' : `set, ends in …${secret.slice(-SHOWN_TAIL)}`;
}

export interface RegistryViewMeta {
  timeoutMs: number;
  secretKeyId: string | null;
  updatedAt: Date | null;
}

function authView(auth: RegistryAuth): RegistryAuthView {
  return {
    token: auth.token ? maskSecret(auth.token) : null,
    auth: auth.auth ? maskSecret(auth.auth) : null,
    username: auth.username ?? null,
    password: auth.password ? maskSecret(auth.password) : null,
    alwaysAuth: auth.alwaysAuth ?? false,
  };
}

function certificateView(pem: string): NonNullable<RegistryConfig['ca']>[number] {
  try {
    const cert = new X509Certificate(pem);
    return { subject: cert.subject, validTo: cert.validTo, fingerprint256: cert.fingerprint256 };
  } catch {
    return { subject: 'unreadable certificate', validTo: '', fingerprint256: '' };
  }
}

export function registryConfigView(settings: RegistrySettings, meta: RegistryViewMeta): RegistryConfig {
  const registry = redactUrlCredentials(settings.registry);
  return {
    registry,
    url: registry,
    hasToken: authForUrl(settings, settings.registry) !== null,
    scopes: Object.fromEntries(Object.entries(settings.scopes).map(([scope, url]) => [scope, redactUrlCredentials(url)])),
    auth: Object.fromEntries(Object.entries(settings.auth).map(([dart, auth]) => [dart, authView(auth)])),
    alwaysAuth: settings.alwaysAuth,
    ca: settings.ca ? settings.ca.map(certificateView) : null,
    strictSsl: settings.strictSsl,
    httpsProxy: settings.httpsProxy ? redactUrlCredentials(settings.httpsProxy) : null,
    proxy: settings.proxy ? redactUrlCredentials(settings.proxy) : null,
    noproxy: [...settings.noproxy],
    timeoutMs: meta.timeoutMs,
    secretKeyId: meta.secretKeyId,
    updatedAt: meta.updatedAt ? meta.updatedAt.toISOString() : null,
  };
}
