// The registry configuration in the spirit of npm's .npmrc: a default registry, registries per
// scope, auth per registry (keyed like npm by the "nerf dart" `//host[:port]/path/`), TLS and
// proxy settings. `RegistrySettings` holds secrets in the clear and never leaves the backend's
// memory; the API only ever returns `RegistryConfig`, where every secret is masked.
import * as z from 'zod';
import { hasUrlCredentials } from './redact.ts';

const MAX_SECRET = 4096;
/** CA certificates kept: room for a system bundle (about 150) together with a company's own CAs. */
export const MAX_CA_CERTIFICATES = 1000;

export const registryUrlSchema = z
  .url({ protocol: /^https?$/, error: 'a registry URL must be an http(s) URL' })
  // A URL is echoed by the API and shows up in errors and logs: a secret must never ride in one.
  .refine((url) => !hasUrlCredentials(url), {
    error:
      'a registry URL must not contain a user name or password (user:password@); give the URL without them and the credentials separately: spk registry set <url> --token-stdin, or _authToken (or _auth, username/_password) for that registry in an .npmrc',
  });

/** `@scope` as npm writes it in `@scope:registry=`. */
export const registryScopeSchema = z
  .string()
  .regex(/^@[a-z0-9][a-z0-9._~-]*$/, 'a scope is written "@name" (lower case letters, digits, ".", "_", "~" or "-")');

/** npm's nerf dart: `//host[:port]/path/` (protocol stripped, trailing slash). */
export const nerfDartSchema = z.string().regex(/^\/\/[^/\s]+\/(?:[^\s]*\/)?$/, 'expected a registry key like "//registry.example.com/" (npm\'s form: no protocol, trailing slash)');

const secretSchema = z.string().min(1).max(MAX_SECRET);

/** Auth for one registry, secrets in the clear. */
export const registryAuthSchema = z.strictObject({
  /** `_authToken`: sent as `Authorization: Bearer <token>`. */
  token: secretSchema.optional(),
  /** `_auth`: base64 of `user:password`, sent as `Authorization: Basic <_auth>`. */
  auth: secretSchema.optional(),
  /** `username` with `_password` (the password is kept decoded here; npm's file holds it base64). */
  username: z.string().min(1).max(256).optional(),
  password: secretSchema.optional(),
  /** `always-auth` for this registry: kept and shown, but it changes nothing (npm 7.10+ ignores it too): credentials always go with every request under their registry's URL. */
  alwaysAuth: z.boolean().optional(),
});
export type RegistryAuth = z.infer<typeof registryAuthSchema>;

const pemSchema = z
  .string()
  .max(65_536)
  .refine((pem) => pem.includes('-----BEGIN CERTIFICATE-----'), 'a CA certificate must be PEM text ("-----BEGIN CERTIFICATE-----")');

/** The whole registry configuration, secrets in the clear: backend memory only. */
export const registrySettingsSchema = z.strictObject({
  /** `registry`: where unscoped packages (and scopes without their own registry) come from. */
  registry: registryUrlSchema,
  /** `@scope:registry`. */
  scopes: z.record(registryScopeSchema, registryUrlSchema).default({}),
  /** `//host/path/:_authToken` and friends, by nerf dart. */
  auth: z.record(nerfDartSchema, registryAuthSchema).default({}),
  /** Global `always-auth`: kept and shown, changes nothing (as for a registry's). */
  alwaysAuth: z.boolean().default(false),
  /** `ca` / `cafile` contents: when set, these replace the default trusted roots for every registry (as in npm). */
  ca: z.array(pemSchema).max(MAX_CA_CERTIFICATES).nullable().default(null),
  /** `strict-ssl`: refuse registries whose certificate does not verify. */
  strictSsl: z.boolean().default(true),
  /** `https-proxy` (and `proxy` for plain http registries). */
  httpsProxy: registryUrlSchema.nullable().default(null),
  proxy: registryUrlSchema.nullable().default(null),
  /** `noproxy`: host names (or suffixes) reached directly. */
  noproxy: z.array(z.string().min(1).max(253)).max(256).default([]),
});
export type RegistrySettings = z.infer<typeof registrySettingsSchema>;
export type RegistrySettingsInput = z.input<typeof registrySettingsSchema>;

/** "set, ends in …abcd" (or "set" for a secret too short to show any of it), for display. */
export const maskedSecretSchema = z.string();

export const registryAuthViewSchema = z.object({
  token: maskedSecretSchema.nullable(),
  auth: maskedSecretSchema.nullable(),
  username: z.string().nullable(),
  password: maskedSecretSchema.nullable(),
  alwaysAuth: z.boolean(),
});
export type RegistryAuthView = z.infer<typeof registryAuthViewSchema>;

export const caCertificateViewSchema = z.object({
  subject: z.string(),
  validTo: z.string(),
  fingerprint256: z.string(),
});

/** What `registry.get` (and every write) answers: the whole configuration, every secret masked. */
export const registryConfigSchema = z.object({
  /** The default registry (kept under its old name too: `url`). */
  registry: z.string(),
  url: z.string(),
  /** Whether the default registry has credentials. */
  hasToken: z.boolean(),
  scopes: z.record(z.string(), z.string()),
  auth: z.record(z.string(), registryAuthViewSchema),
  alwaysAuth: z.boolean(),
  ca: z.array(caCertificateViewSchema).nullable(),
  strictSsl: z.boolean(),
  httpsProxy: z.string().nullable(),
  proxy: z.string().nullable(),
  noproxy: z.array(z.string()),
  /** How long one registry request may go unanswered (the server's setting). */
  timeoutMs: z.number().int().positive(),
  /** The key the secrets are encrypted with: its id (a digest prefix), never the key. */
  secretKeyId: z.string().nullable(),
  updatedAt: z.iso.datetime().nullable(),
});
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

/** `registry.set`: the default registry URL and its token (the short form of a configuration). */
export const registryConfigInputSchema = z.strictObject({
  url: registryUrlSchema,
  /** Write-only: `null` clears the stored token, omitting it keeps the current one. */
  token: z.string().min(1).max(MAX_SECRET).nullable().optional(),
});
export type RegistryConfigInput = z.infer<typeof registryConfigInputSchema>;

export const importNpmrcInputSchema = z.strictObject({
  /** The .npmrc text. `${VAR}` in a credential is replaced from the server's environment, as npm does; anywhere else it is refused. */
  npmrc: z.string().max(262_144),
});
export type ImportNpmrcInput = z.infer<typeof importNpmrcInputSchema>;

export const importNpmrcResultSchema = z.object({
  config: registryConfigSchema,
  /** Keys that were not imported (unknown, or npm settings that do not concern registries), each with why. */
  warnings: z.array(z.string()),
});
export type ImportNpmrcResult = z.infer<typeof importNpmrcResultSchema>;

export const rotateKeyInputSchema = z.strictObject({
  /** The new key: 32 bytes, base64. */
  key: z.string().min(1).max(256),
});
export const rotateKeyResultSchema = z.object({
  /** How many secrets were re-encrypted. */
  reencrypted: z.number().int().nonnegative(),
  keyId: z.string(),
  /** Where the key lives now, and what the operator still has to do. */
  source: z.enum(['env', 'file']),
  note: z.string(),
});
export type RotateKeyResult = z.infer<typeof rotateKeyResultSchema>;

// ---- registry client: search, versions, package info -------------------------------------------

export const MAX_SEARCH_SIZE = 50;

export const registrySearchInputSchema = z.strictObject({
  text: z.string().trim().min(1, 'give some text to search for').max(200),
  size: z.number().int().min(1).max(MAX_SEARCH_SIZE).default(20),
});
export const registrySearchResultSchema = z.object({
  registry: z.string(),
  results: z.array(
    z.object({
      name: z.string(),
      version: z.string(),
      description: z.string().nullable(),
      date: z.string().nullable(),
      deprecated: z.string().nullable(),
    }),
  ),
});
export type RegistrySearchResult = z.infer<typeof registrySearchResultSchema>;

export const registryVersionsInputSchema = z.strictObject({ name: z.string().min(1).max(214) });
export const registryVersionsResultSchema = z.object({
  name: z.string(),
  registry: z.string(),
  distTags: z.record(z.string(), z.string()),
  /** Newest first. */
  versions: z.array(z.object({ version: z.string(), deprecated: z.string().nullable(), publishedAt: z.string().nullable() })),
});
export type RegistryVersionsResult = z.infer<typeof registryVersionsResultSchema>;

export const registryPackageInputSchema = z.strictObject({
  /** `name` or `name@range` / `name@tag`. */
  spec: z.string().min(1).max(512),
});
export const registryPackageResultSchema = z.object({
  name: z.string(),
  registry: z.string(),
  /** The version the range picks (the `latest` tag when no range was given). */
  version: z.string(),
  latest: z.string().nullable(),
  description: z.string().nullable(),
  license: z.string().nullable(),
  homepage: z.string().nullable(),
  repository: z.string().nullable(),
  unpackedSize: z.number().int().nonnegative().nullable(),
  dependencyCount: z.number().int().nonnegative(),
  hasOwnTypes: z.boolean(),
  /** The `@types/*` companion's name when the registry has one. */
  typesPackage: z.string().nullable(),
  deprecated: z.string().nullable(),
  hasInstallScript: z.boolean(),
  distTags: z.record(z.string(), z.string()),
});
export type RegistryPackageResult = z.infer<typeof registryPackageResultSchema>;

// ---- install-scripts policy ----------------------------------------------------------------------

export const scriptsPolicyInputSchema = z.strictObject({ name: z.string().min(1).max(214) });
export const scriptsPolicySchema = z.object({
  /** Names whose lifecycle scripts hosts run (effective from the next install). */
  allowed: z.array(z.object({ name: z.string(), allowedAt: z.iso.datetime() })),
  /** Packages in the desired tree that have install scripts, and whether they run. */
  withScripts: z.array(z.object({ name: z.string(), version: z.string(), path: z.string(), allowed: z.boolean() })),
});
export type ScriptsPolicy = z.infer<typeof scriptsPolicySchema>;
