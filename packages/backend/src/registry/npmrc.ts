// Reads the registry settings out of an .npmrc, as npm would: the `ini` parser npm itself uses, the
// key names @npmcli/config knows, and `${VAR}` from the server's environment (in credentials only,
// npmrc-values.ts says why). Keys that are not imported come back as warnings, one line each saying
// why; a value that cannot be used refuses the whole import. Messages name keys, files and
// environment variables, never a value.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import {
  closeMatches,
  DEFAULT_REGISTRY_URL,
  nerfDartSchema,
  registryScopeSchema,
  registrySettingsSchema,
  SpkError,
  type RegistryAuth,
  type RegistrySettings,
} from '@spk/common';
import { NPM_CONFIG_KEYS } from './npm-config-keys.ts';
import {
  booleanValue,
  caFileValue,
  caValue,
  credentialValue,
  decodeBase64,
  decodeUtf8,
  invalid,
  listValue,
  proxyValue,
  secretValue,
  urlValue,
  withoutVariables,
  type Env,
  type NpmrcFiles,
} from './npmrc-values.ts';
import { nerfDart } from './request-options.ts';

export type { NpmrcFiles } from './npmrc-values.ts';

// `ini` ships no types: the one function used here, typed by hand.
const ini = createRequire(import.meta.url)('ini') as { parse(text: string): Record<string, unknown> };

export interface NpmrcImport {
  settings: RegistrySettings;
  /** One line per key not imported: which key, and why (unknown, not a registry setting, bad value…). */
  warnings: string[];
}

const serverFiles: NpmrcFiles = { readFile: (file) => readFileSync(file, 'utf8'), homeDir: homedir() };

const AUTH_FIELDS = ['_authToken', '_auth', 'username', '_password', 'always-auth'] as const;
const TOP_LEVEL_KEYS = ['registry', 'always-auth', 'ca', 'cafile', 'strict-ssl', 'https-proxy', 'proxy', 'noproxy'];

// Keys that concern registries but are not supported here, and why.
const CLIENT_CERTIFICATES = 'client certificates (mutual TLS) are not supported';
const UNSUPPORTED: Readonly<Record<string, string>> = {
  cert: CLIENT_CERTIFICATES,
  key: CLIENT_CERTIFICATES,
  certfile: CLIENT_CERTIFICATES,
  keyfile: CLIENT_CERTIFICATES,
  email: 'npm no longer sends it; installs do not need it',
  otp: 'one-time passwords are for publishing; installs never need one',
  'replace-registry-host': 'the server keeps no lockfile to rewrite; tarballs are fetched from the URL the registry gives',
  'fetch-timeout': 'the request timeout is a server setting (SPK_REGISTRY_TIMEOUT_MS)',
  'fetch-retries': 'retries are not configurable here',
  'fetch-retry-factor': 'retries are not configurable here',
  'fetch-retry-mintimeout': 'retries are not configurable here',
  'fetch-retry-maxtimeout': 'retries are not configurable here',
  maxsockets: 'connection limits are not configurable here',
  'local-address': 'the local address is not configurable here',
  'user-agent': 'the user agent is not configurable here',
  scope: 'a default scope has no meaning on the server; give each scope its registry with @scope:registry',
};

// ---- keys -----------------------------------------------------------------------------------------

/**
 * Whether a key can be shown in a warning. A line without "=" is a key whose value is `true`, so a
 * pasted token on a line of its own would arrive here as a key: only key-shaped text is echoed.
 */
function showable(key: string): boolean {
  const word = /^[a-z]+(?:[-._][a-z]+)*$/;
  const field = (text: string) => text.length <= 40 && (word.test(text) || /^_[a-zA-Z]+$/.test(text));
  const dart = /^\/\/[^/\s]+\/(?:[^\s]*\/)?:(.+)$/.exec(key);
  if (dart) return field(dart[1]!);
  const scoped = /^@[a-z0-9][a-z0-9._~-]*:(.+)$/.exec(key);
  if (scoped) return field(scoped[1]!);
  return field(key) || NPM_CONFIG_KEYS.has(key);
}

const HIDDEN_LINE = 'a line that is not a setting npm knows was ignored (not shown here, in case it holds a secret)';

function unknownKeyWarning(key: string): string {
  if (!showable(key)) return HIDDEN_LINE;
  const colon = key.lastIndexOf(':');
  if (key.startsWith('//')) {
    const [close] = closeMatches(key.slice(colon + 1), AUTH_FIELDS, 1);
    return `${key}: unknown registry key "${key.slice(colon + 1)}", ignored${close ? ` (did you mean ${key.slice(0, colon + 1)}${close}?)` : ''}`;
  }
  if (key.startsWith('@') && colon > 0) return `${key}: unknown key, ignored (a scope takes only ${key.slice(0, colon)}:registry)`;
  const [close] = closeMatches(key, [...TOP_LEVEL_KEYS, ...NPM_CONFIG_KEYS], 1);
  return `${key}: unknown key, ignored${close ? ` (did you mean ${close}?)` : ''}`;
}

/** `//Host/path` → `//host/path/`: npm compares the host as URL.host (lower case), paths end with "/". */
function normalizedDart(dart: string, key: string): string {
  const slash = dart.indexOf('/', 2);
  const host = (slash === -1 ? dart.slice(2) : dart.slice(2, slash)).toLowerCase();
  const rest = slash === -1 ? '/' : dart.slice(slash);
  const normalized = `//${host}${rest.endsWith('/') ? rest : `${rest}/`}`;
  if (!nerfDartSchema.safeParse(normalized).success) throw invalid(key, 'a registry key is written //host[:port]/path/:field (npm\'s form: no protocol), e.g. //registry.example.com/:_authToken');
  return normalized;
}

// ---- the import -----------------------------------------------------------------------------------

interface Draft {
  registry: string | null;
  scopes: Record<string, string>;
  auth: Record<string, RegistryAuth>;
  alwaysAuth: boolean;
  ca: string[] | null;
  caFile: string[] | null;
  hasCa: boolean;
  strictSsl: boolean;
  httpsProxy: string | null;
  proxy: string | null;
  noproxy: string[];
  /** Top-level credentials npm 9+ refuses: reported once the default registry is known. */
  unkeyedAuth: string[];
}

function setAuthField(draft: Draft, dart: string, field: (typeof AUTH_FIELDS)[number], key: string, value: unknown, env: Env, warnings: string[]): void {
  const entry = (draft.auth[dart] ??= {});
  if (field === 'always-auth') {
    entry.alwaysAuth = booleanValue(key, value);
    return;
  }
  const text = field === 'username' ? credentialValue(key, value, env, 'a user name').trim() : secretValue(key, value, env);
  if (text === '') {
    warnings.push(`${key}: empty, not imported`);
    return;
  }
  switch (field) {
    case '_authToken':
      entry.token = text;
      return;
    case '_auth': {
      const decoded = decodeBase64(text);
      if (!decoded || !decoded.includes(':'.charCodeAt(0))) {
        throw invalid(key, "expected base64 of user:password (npm's form), e.g. the output of printf '%s' 'user:password' | base64");
      }
      entry.auth = text;
      return;
    }
    case 'username':
      if (text.length > 256) throw invalid(key, 'too long (at most 256 characters)');
      entry.username = text;
      return;
    case '_password': {
      const decoded = decodeBase64(text);
      const password = decoded && decodeUtf8(decoded);
      if (!password) throw invalid(key, "expected the password in base64 (npm's form), e.g. the output of printf '%s' 'password' | base64");
      entry.password = password;
      return;
    }
  }
}

function applyKey(draft: Draft, key: string, value: unknown, env: Env, files: NpmrcFiles, warnings: string[]): void {
  const dartKey = /^(\/\/[^\s]+):([^:/]+)$/.exec(key);
  if (dartKey) {
    const field = dartKey[2]!;
    if ((AUTH_FIELDS as readonly string[]).includes(field)) {
      setAuthField(draft, normalizedDart(dartKey[1]!, key), field as (typeof AUTH_FIELDS)[number], key, value, env, warnings);
    } else if (UNSUPPORTED[field]) {
      warnings.push(`${key}: not imported: ${UNSUPPORTED[field]}`);
    } else {
      warnings.push(unknownKeyWarning(key));
    }
    return;
  }
  const protocolKey = /^https?:(\/\/[^\s]+):([^:/]+)$/.exec(key);
  if (protocolKey && (AUTH_FIELDS as readonly string[]).includes(protocolKey[2]!)) {
    warnings.push(`${key}: not imported: npm never matches a key with a protocol; write it as ${protocolKey[1]}:${protocolKey[2]}`);
    return;
  }
  const scopeKey = /^(@[^:]+):registry$/.exec(key);
  if (scopeKey) {
    const scope = registryScopeSchema.safeParse(scopeKey[1]);
    if (!scope.success) throw invalid(key, scope.error.issues[0]?.message ?? 'not a valid scope');
    draft.scopes[scope.data] = urlValue(key, value);
    return;
  }
  switch (key) {
    case 'registry':
      draft.registry = urlValue(key, value);
      return;
    case 'always-auth':
      draft.alwaysAuth = booleanValue(key, value);
      return;
    case 'strict-ssl':
      draft.strictSsl = booleanValue(key, value);
      return;
    case 'ca':
      draft.ca = caValue(key, value);
      draft.hasCa = true;
      return;
    case 'cafile':
      draft.caFile = caFileValue(key, value, files);
      return;
    case 'https-proxy':
      draft.httpsProxy = proxyValue(key, value);
      return;
    case 'proxy':
      draft.proxy = proxyValue(key, value);
      return;
    case 'noproxy':
      draft.noproxy = listValue(key, value);
      return;
    case '_authToken':
    case '_auth':
    case 'username':
    case '_password':
      draft.unkeyedAuth.push(key);
      return;
    case '_authtoken':
    case '-authtoken':
      warnings.push(`${key}: not imported: npm 9 and later refuse this key; write the token as //<registry host and path>/:_authToken=…`);
      return;
  }
  if (UNSUPPORTED[key]) warnings.push(`${key}: not imported: ${UNSUPPORTED[key]}`);
  else if (NPM_CONFIG_KEYS.has(key)) warnings.push(`${key}: not a registry setting, ignored`);
  else warnings.push(unknownKeyWarning(key));
}

/** Throws SpkError INVALID_INPUT (message says which line/key and what to write instead) when a value is unusable. */
export function parseNpmrc(text: string, env: Readonly<Record<string, string | undefined>>, files: NpmrcFiles = serverFiles): NpmrcImport {
  const warnings: string[] = [];
  // ini skips a line starting with "=" without a word; say so rather than drop it silently.
  if (text.split(/[\r\n]+/).some((line) => line.trimStart().startsWith('='))) warnings.push('a line starting with "=" has no key, ignored');

  const draft: Draft = { registry: null, scopes: {}, auth: {}, alwaysAuth: false, ca: null, caFile: null, hasCa: false, strictSsl: true, httpsProxy: null, proxy: null, noproxy: [], unkeyedAuth: [] };
  for (const [rawKey, value] of Object.entries(ini.parse(text))) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      warnings.push(showable(rawKey) ? `[${rawKey}]: npm reads no ini sections; the keys under it were ignored` : `an ini section was ignored (npm reads none; its name is not shown, in case it holds a secret)`);
      continue;
    }
    // npm replaces ${VAR} in keys too (//${REGISTRY_HOST}/:_authToken); here a key takes none, since keys are shown.
    const key = withoutVariables(rawKey, showable(rawKey) ? rawKey : 'a key', 'write the key itself');
    applyKey(draft, key, value, env, files, warnings);
  }

  const registry = draft.registry ?? DEFAULT_REGISTRY_URL;
  for (const key of draft.unkeyedAuth) {
    warnings.push(`${key}: not imported: npm 9 and later refuse credentials that are not keyed by a registry; write it as ${nerfDart(registry)}:${key}=… for the default registry, or key it by the registry it belongs to (//host/path/:${key})`);
  }
  for (const [dart, entry] of Object.entries(draft.auth)) {
    // npm uses username and _password only together.
    if ((entry.username === undefined) !== (entry.password === undefined)) {
      const [given, missing] = entry.username !== undefined ? ['username', '_password'] : ['_password', 'username'];
      warnings.push(`${dart}:${given}: not imported: npm uses it only with ${dart}:${missing}, which is not set`);
      delete entry.username;
      delete entry.password;
    }
  }
  for (const [dart, entry] of Object.entries(draft.auth)) if (Object.keys(entry).length === 0) delete draft.auth[dart];
  if (draft.caFile && draft.hasCa) warnings.push('ca: ignored because cafile is also set (npm then trusts the certificates of cafile)');

  const parsed = registrySettingsSchema.safeParse({
    registry,
    scopes: draft.scopes,
    auth: draft.auth,
    alwaysAuth: draft.alwaysAuth,
    ca: draft.caFile ?? draft.ca,
    strictSsl: draft.strictSsl,
    httpsProxy: draft.httpsProxy,
    proxy: draft.proxy,
    noproxy: draft.noproxy,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`);
    throw new SpkError('INVALID_INPUT', `the .npmrc's registry settings are not usable: ${problems.join('; ')}`);
  }
  return { settings: parsed.data, warnings };
}
