// "No secret ever shows up" is only provable by looking everywhere: tests collect every response
// body, log and CLI output they captured, then grep all of it for every form a secret could take
// (raw, base64, base64url, hex, URI-encoded, JSON-escaped, the `user:password` of basic auth).
// A leak is reported by where it was and which secret, never with the secret itself.

/** Shorter values would match by chance (and are no secret worth the name). */
const MIN_SECRET_CHARS = 8;
const CONTEXT_CHARS = 40;

export interface CapturedText {
  /** Where it came from: "POST /api/registry/npmrc response", "server stderr", … */
  source: string;
  text: string;
}

export interface SecretLeak {
  source: string;
  /** The secret's label and which form of it matched, e.g. "corp token (base64)". */
  secret: string;
  /** Text around the match with the match itself replaced by `[SECRET]`. */
  context: string;
}

/** Everything a test captured, in order. Values that are not strings are stored as their JSON. */
export interface Capture {
  add(source: string, value: unknown): void;
  readonly entries: readonly CapturedText[];
}

export function createCapture(): Capture {
  const entries: CapturedText[] = [];
  return {
    add(source, value) {
      entries.push({ source, text: typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)) });
    },
    entries,
  };
}

/**
 * The forms a secret string may take on its way out: as given, base64 and base64url of its UTF-8
 * (a header, an `_auth`), hex, URI-encoded (a query string) and JSON-escaped (inside a body).
 */
export function secretForms(secret: string): Array<{ form: string; value: string }> {
  if (secret.length < MIN_SECRET_CHARS) {
    throw new Error(`a secret to grep for must have at least ${MIN_SECRET_CHARS} characters (shorter ones match by chance); use a longer test secret`);
  }
  const bytes = Buffer.from(secret, 'utf8');
  return unique([
    { form: 'raw', value: secret },
    { form: 'base64', value: bytes.toString('base64') },
    // Unpadded too: a padded base64 string is not found where it was embedded without its "=".
    { form: 'base64', value: bytes.toString('base64').replace(/=+$/, '') },
    { form: 'base64url', value: bytes.toString('base64url') },
    { form: 'hex', value: bytes.toString('hex') },
    { form: 'URI-encoded', value: encodeURIComponent(secret) },
    { form: 'JSON-escaped', value: JSON.stringify(secret).slice(1, -1) },
  ]);
}

/** Basic auth's forms: `user:password` and everything `secretForms` derives from it, plus the password alone. */
export function basicAuthForms(username: string, password: string): Array<{ form: string; value: string }> {
  return unique([
    ...secretForms(password).map(({ form, value }) => ({ form: `password ${form}`, value })),
    ...secretForms(`${username}:${password}`).map(({ form, value }) => ({ form: `user:password ${form}`, value })),
  ]);
}

/**
 * A key given as base64 (e.g. SPK_SECRET_KEY): its text's forms, and the forms of the bytes it
 * stands for (hex, base64url, the other padding).
 */
export function base64KeyForms(key: string): Array<{ form: string; value: string }> {
  const bytes = Buffer.from(key, 'base64');
  return unique([
    ...secretForms(key),
    { form: 'key bytes hex', value: bytes.toString('hex') },
    { form: 'key bytes base64', value: bytes.toString('base64') },
    { form: 'key bytes base64url', value: bytes.toString('base64url') },
  ]);
}

export interface NamedSecret {
  label: string;
  forms: Array<{ form: string; value: string }>;
}

/** A secret string and its usual forms, ready for findSecrets. */
export function namedSecret(label: string, secret: string): NamedSecret {
  return { label, forms: secretForms(secret) };
}

/** Every occurrence of every form of every secret in the captured texts. */
export function findSecrets(captured: readonly CapturedText[], secrets: readonly NamedSecret[]): SecretLeak[] {
  const leaks: SecretLeak[] = [];
  for (const { source, text } of captured) {
    for (const { label, forms } of secrets) {
      for (const { form, value } of forms) {
        for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
          const before = text.slice(Math.max(0, at - CONTEXT_CHARS), at);
          const after = text.slice(at + value.length, at + value.length + CONTEXT_CHARS);
          leaks.push({ source, secret: `${label} (${form})`, context: `${before}[SECRET]${after}` });
        }
      }
    }
  }
  return leaks;
}

/** One line per leak, for an assertion message: says where and which, never the secret. */
export function describeLeaks(leaks: readonly SecretLeak[]): string {
  return leaks.map((leak) => `${leak.secret} in ${leak.source}: …${leak.context.replace(/\s+/g, ' ')}…`).join('\n');
}

function unique(forms: Array<{ form: string; value: string }>): Array<{ form: string; value: string }> {
  const seen = new Set<string>();
  return forms.filter(({ value }) => !seen.has(value) && (seen.add(value), true));
}
