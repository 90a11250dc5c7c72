// The values of an .npmrc as npm reads them: `${VAR}` from the environment by npm's rule (in
// credentials only), then each value checked for the type its key takes (URL, boolean, list,
// secret, PEM certificates, a file of them). A value that cannot be used is an INVALID_INPUT naming
// the key and what to write, never repeating the value itself.
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { hasUrlCredentials, MAX_CA_CERTIFICATES, registryUrlSchema, SpkError } from '@spk/common';
import { withTrailingSlash } from './request-options.ts';

/** Where `cafile` is read from: the server's own disk, unless a test gives another. */
export interface NpmrcFiles {
  readFile(file: string): string;
  homeDir: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

const MAX_SECRET = 4096;
const PEM_END = '-----END CERTIFICATE-----';

export function invalid(key: string, problem: string): SpkError {
  return new SpkError('INVALID_INPUT', `${key}: ${problem}`, { key });
}

// ---- ${VAR} ---------------------------------------------------------------------------------------

// npm's rule (@npmcli/config's env-replace): `${NAME}` is NAME's value and `${NAME?}` its value or
// ""; a backslash before `$` escapes the expression, and each pair of backslashes before it stands
// for one. npm leaves an unset `${NAME}` in place as text; here that is refused, since the text
// would then be sent as a token or used as a URL.
// Unlike npm, only credentials take a variable: they are sealed and only ever shown masked, while
// every other value and every key is echoed (registry URLs, noproxy, the keys of `auth`) or quoted
// in a message (a cafile path), which would hand the server's environment to anyone who can read
// the configuration. The server's own settings are refused even in a credential: with
// `_authToken=${SPK_SECRET_KEY}` for a registry they control, an importer would be sent the key.
const ENV_EXPRESSION = /(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g;

const CREDENTIAL_KEYS = '_authToken, _auth, username, _password';

/** A variable holding one of the server's own settings (apps/server's config, and the PG* variables its PostgreSQL driver reads). */
export function isServerSetting(name: string): boolean {
  return name.startsWith('SPK_') || name === 'DATABASE_URL' || /^PG[A-Z]/.test(name);
}

/** `text` with each unescaped `${NAME}` / `${NAME?}` replaced by `replace(name, optional)`, escapes read as npm does. */
function replaceExpressions(text: string, replace: (name: string, optional: boolean) => string): string {
  return text.replace(ENV_EXPRESSION, (whole: string, slashes: string, name: string, optional: string | undefined) => {
    const kept = '\\'.repeat(Math.floor(slashes.length / 2));
    if (slashes.length % 2 === 1) return kept + whole.slice(slashes.length);
    return kept + replace(name, optional !== undefined);
  });
}

/** A credential's text with `${NAME}` replaced from `env`; refuses an unset variable and the server's own settings. */
export function interpolateCredential(text: string, env: Env, key: string): string {
  return replaceExpressions(text, (name, optional) => {
    if (isServerSetting(name)) {
      throw invalid(key, `\${${name}} names one of the server's own settings (SPK_*, DATABASE_URL, PG*), which are never read into the registry settings; put the credential in a variable of its own`);
    }
    const value = env[name];
    if (value === undefined && !optional) {
      throw invalid(
        key,
        `\${${name}} names the environment variable ${name}, which is not set in the server's environment; set it where the server runs, write \${${name}?} to let it be empty, or \\\${${name}} for the text itself`,
      );
    }
    return value ?? '';
  });
}

/** Text that takes no variable (any key, any value but a credential): a `${NAME}` in it is refused, an escaped one is text. */
export function withoutVariables(text: string, key: string, write = 'write the value itself'): string {
  return replaceExpressions(text, (name) => {
    throw invalid(key, `\${${name}}: only credentials (${CREDENTIAL_KEYS}) may come from the server's environment; ${write}`);
  });
}

// ---- values ---------------------------------------------------------------------------------------

/** One value as written in the file, before any `${NAME}` is read. */
function oneValue(key: string, value: unknown, what: string): string {
  if (Array.isArray(value)) throw invalid(key, `give one value (${key}=…), not a list (${key}[]=…)`);
  if (typeof value !== 'string') throw invalid(key, `expected ${what} (write ${key}=…)`);
  return value;
}

/** A value that is not a credential: it takes no `${NAME}`. */
export function stringValue(key: string, value: unknown, what: string): string {
  return withoutVariables(oneValue(key, value, what), key);
}

/** A credential (`_authToken`, `_auth`, `username`, `_password`): `${NAME}` is read from `env`. */
export function credentialValue(key: string, value: unknown, env: Env, what: string): string {
  return interpolateCredential(oneValue(key, value, what), env, key);
}

export function booleanValue(key: string, value: unknown): boolean {
  const text = typeof value === 'boolean' ? String(value) : typeof value === 'string' ? withoutVariables(value, key).trim() : null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw invalid(key, `write ${key}=true or ${key}=false`);
}

export function urlValue(key: string, value: unknown): string {
  const text = stringValue(key, value, 'an http(s) URL').trim();
  const parsed = registryUrlSchema.safeParse(text);
  if (!parsed.success) throw invalid(key, parsed.error.issues[0]?.message ?? 'expected an http(s) URL');
  return withTrailingSlash(parsed.data);
}

/** `https-proxy` / `proxy`: a URL, or nothing (`false`, `null` or empty, as npm allows). */
export function proxyValue(key: string, value: unknown): string | null {
  if (value === false || value === null) return null;
  const text = stringValue(key, value, 'an http(s) proxy URL').trim();
  if (text === '' || text === 'false' || text === 'null') return null;
  if (hasUrlCredentials(text)) {
    throw invalid(key, 'a proxy URL with a user name or password is not supported (the URL is shown wherever the configuration is); use a proxy that lets this server through without them');
  }
  if (!registryUrlSchema.safeParse(text).success) throw invalid(key, 'expected an http(s) proxy URL, e.g. http://proxy.example.com:3128 (socks proxies are not supported here)');
  return text;
}

export function listValue(key: string, value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => stringValue(key, item, 'a comma-separated list of host names').split(','))
    .map((host) => host.trim())
    .filter(Boolean);
}

export function secretValue(key: string, value: unknown, env: Env): string {
  const text = credentialValue(key, value, env, 'a value').trim();
  if (text.length > MAX_SECRET) throw invalid(key, `too long (at most ${MAX_SECRET} characters)`);
  return text;
}

/** Strict base64 (padding optional): what npm writes for `_auth` and `_password`. Returns null when it is not. */
export function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  const strip = (s: string) => s.replace(/=+$/, '');
  return strip(bytes.toString('base64')) === strip(text) && bytes.length > 0 ? bytes : null;
}

export function decodeUtf8(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : null;
}

/** PEM text → one string per certificate, each checked to be readable. */
function certificates(key: string, pem: string): string[] {
  const sections = pem
    .replace(/\\n/g, '\n') // unquoted values keep npm's "\n" as two characters; a PEM never holds a backslash
    .replace(/\r\n/g, '\n')
    .split(PEM_END)
    .filter((section) => section.trim())
    .map((section) => `${section.trimStart()}${PEM_END}\n`);
  sections.forEach((cert, index) => {
    let readable = cert.includes('-----BEGIN CERTIFICATE-----');
    try {
      if (readable) new X509Certificate(cert);
    } catch {
      readable = false;
    }
    if (!readable) throw invalid(key, `certificate ${index + 1} is not a readable PEM certificate; give "-----BEGIN CERTIFICATE-----…-----END CERTIFICATE-----" text (in an .npmrc, in quotes with newlines written as \\n)`);
  });
  return sections;
}

/** The certificates, refused when there are more than the settings keep. */
function withinCap(key: string, certs: string[]): string[] {
  if (certs.length > MAX_CA_CERTIFICATES) {
    throw invalid(key, `${certs.length} certificates, more than the ${MAX_CA_CERTIFICATES} the server keeps; give the roots the registries need (a system bundle holds about 150)`);
  }
  return certs;
}

export function caValue(key: string, value: unknown): string[] | null {
  if (value === null) return null;
  const texts = (Array.isArray(value) ? value : [value]).map((item) => stringValue(key, item, 'PEM certificate text'));
  const certs = texts.flatMap((text) => (text.trim() === '' || text.trim() === 'null' ? [] : certificates(key, text)));
  return certs.length > 0 ? withinCap(key, certs) : null;
}

export function caFileValue(key: string, value: unknown, files: NpmrcFiles): string[] | null {
  const given = stringValue(key, value, 'the path of a PEM file on the server').trim();
  if (given === '' || given === 'null') return null;
  const file = given.startsWith('~/') ? path.join(files.homeDir, given.slice(2)) : given;
  if (!path.isAbsolute(file)) throw invalid(key, `give an absolute path on the server (or ~/…), not "${given}"`);
  let content: string;
  try {
    content = files.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw invalid(key, `cannot read ${file} (${code}); give the path of a PEM file the server can read`);
  }
  if (!content.includes(PEM_END)) throw invalid(key, `${file} holds no PEM certificate ("-----BEGIN CERTIFICATE-----…")`);
  return withinCap(`${key} (${file})`, certificates(`${key} (${file})`, content));
}
