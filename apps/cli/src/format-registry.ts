// The registry configuration as `spk registry get|set|import-npmrc` print it: every setting on a
// labelled line, auth per registry with its secrets as the server masked them ("set, ends in …abcd").
// Pure string building; the server never sends a secret, so there is none here to leak.
import type { RegistryConfig, RegistryAuthView } from '@spk/common';

const LABEL_WIDTH = 'scoped registries: '.length;

/** `label: first line`, further lines aligned under the first. */
function field(label: string, lines: readonly string[]): string[] {
  const indent = ' '.repeat(LABEL_WIDTH);
  return lines.map((line, i) => (i === 0 ? `${`${label}:`.padEnd(LABEL_WIDTH)}${line}` : `${indent}${line}`));
}

/** Two columns, the first padded to its longest entry. */
function columns(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`.trimEnd());
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** "token set, ends in …abcd; username bob; password set; always-auth". */
export function formatRegistryAuth(auth: RegistryAuthView): string {
  const parts: string[] = [];
  if (auth.token !== null) parts.push(`token ${auth.token}`);
  if (auth.auth !== null) parts.push(`_auth ${auth.auth}`);
  if (auth.username !== null) parts.push(`username ${auth.username}`);
  if (auth.password !== null) parts.push(`password ${auth.password}`);
  if (auth.alwaysAuth) parts.push('always-auth');
  return parts.length > 0 ? parts.join('; ') : 'no credentials';
}

export function formatRegistry(config: RegistryConfig): string {
  const scopes = Object.entries(config.scopes).sort(([a], [b]) => a.localeCompare(b));
  const auth = Object.entries(config.auth).sort(([a], [b]) => a.localeCompare(b));
  const ca = config.ca === null ? ['the default trusted roots'] : config.ca.map((c) => `${c.subject} (valid to ${c.validTo || '?'}; sha256 ${c.fingerprint256 || '?'})`);
  return [
    ...field('registry', [`${config.registry} (${config.hasToken ? 'credentials set' : 'no credentials'})`]),
    ...field('scoped registries', scopes.length > 0 ? columns(scopes) : ['none']),
    ...field('auth', auth.length > 0 ? columns(auth.map(([dart, view]) => [dart, formatRegistryAuth(view)])) : ['none']),
    ...field('always-auth', [yesNo(config.alwaysAuth)]),
    ...field('ca', ca.length > 0 ? ca : ['none']),
    ...field('strict-ssl', [yesNo(config.strictSsl)]),
    ...field('https-proxy', [config.httpsProxy ?? 'none']),
    ...field('proxy', [config.proxy ?? 'none']),
    ...field('noproxy', [config.noproxy.length > 0 ? config.noproxy.join(', ') : 'none']),
    ...field('timeout', [`${config.timeoutMs / 1000} s per request (the server's SPK_REGISTRY_TIMEOUT_MS)`]),
    ...field('secret key', [config.secretKeyId === null ? 'none' : `id ${config.secretKeyId} (seals the secrets above in the database)`]),
    ...field('updated', [config.updatedAt ?? '-']),
  ].join('\n');
}
