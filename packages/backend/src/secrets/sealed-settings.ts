// The registry configuration as the database holds it: `RegistrySettings` with every secret
// (`_authToken`, `_auth`, `_password`) replaced by its sealed form. Pure: the settings store reads
// and writes it, and decides with the secret box what to do with each secret.
import { z } from 'zod';
import { nerfDartSchema, registryAuthSchema, registrySettingsSchema, SpkError, type RegistrySettings } from '@spk/common';

/** The fields of `RegistryAuth` that are secrets. */
export const SECRET_FIELDS = ['token', 'auth', 'password'] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

// A sealed value is longer than the secret it holds, and a value not yet migrated is plaintext:
// any non-empty string is accepted here; what it holds is the box's to say.
const storedSecret = z.string().min(1);
const storedAuthSchema = registryAuthSchema.extend({ token: storedSecret.optional(), auth: storedSecret.optional(), password: storedSecret.optional() });
const storedSettingsSchema = registrySettingsSchema.extend({ auth: z.record(nerfDartSchema, storedAuthSchema).default({}) });

/** `RegistrySettings` as stored: every secret sealed (or plaintext until the start-up migration seals it). */
export type StoredRegistrySettings = z.infer<typeof storedSettingsSchema>;

export function parseStoredSettings(value: unknown): StoredRegistrySettings {
  const parsed = storedSettingsSchema.safeParse(value);
  if (!parsed.success) {
    // Paths only: an issue's message could quote a value, and values here may be secrets.
    const paths = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))].join(', ');
    throw new SpkError('INTERNAL', `the stored registry settings are not valid (at ${paths}); replace them with spk registry import-npmrc`);
  }
  return parsed.data;
}

/** The settings with a default registry and nothing else: what a fresh database means. */
export function defaultSettings(registry: string): RegistrySettings {
  return registrySettingsSchema.parse({ registry });
}

/** A copy of `settings` with each secret replaced by `map(secret)`; the rest unchanged. */
export function mapSecrets<S extends { auth: Record<string, Partial<Record<SecretField, string>>> }>(
  settings: S,
  map: (value: string, where: { dart: string; field: SecretField }) => string,
): S {
  const auth = Object.fromEntries(
    Object.entries(settings.auth).map(([dart, entry]) => {
      const next = { ...entry };
      for (const field of SECRET_FIELDS) {
        const value = entry[field];
        if (value !== undefined) next[field] = map(value, { dart, field });
      }
      return [dart, next];
    }),
  );
  return { ...settings, auth } as S;
}
