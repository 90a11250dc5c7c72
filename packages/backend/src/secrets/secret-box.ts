// Seals the registry secrets kept in the database (tokens, _auth, passwords) with AES-256-GCM, so
// a database dump alone reveals none of them. Each sealed value names the key it was sealed with
// (a digest prefix, never the key), so a server holding another key says which one it needs.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SpkError } from '@spk/common';

export interface SecretBox {
  /** A short digest prefix of the key (never the key): stored with each sealed value. */
  readonly keyId: string;
  seal(plain: string): string;
  /** Throws SpkError SECRET_KEY_MISMATCH when sealed with another key, INTERNAL when damaged. */
  open(sealed: string): string;
  isSealed(value: string): boolean;
}

export const SECRET_KEY_BYTES = 32;
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Any version: a value with this prefix is never sealed a second time. */
const SEALED_PREFIX = 'spk-sealed:';
const VERSION = 'v1';
const SEALED_V1 = /^spk-sealed:v1:([0-9a-f]{12}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]*)$/;

/** The first 12 hex digits of the key's SHA-256: names a key in messages and sealed values. */
export function secretKeyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** The key id a sealed value names, or null when it is not a well-formed sealed value. */
export function sealedKeyId(sealed: string): string | null {
  return SEALED_V1.exec(sealed)?.[1] ?? null;
}

export function keyMismatchError(sealedWith: string, current: string): SpkError {
  return new SpkError(
    'SECRET_KEY_MISMATCH',
    `a stored registry secret was sealed with the secret key ${sealedWith}, but this server's key is ${current}: ` +
      `set SPK_SECRET_KEY to the key the secrets were sealed with (id ${sealedWith}) on every instance and restart, ` +
      'or set the registry settings again (spk registry import-npmrc, spk registry set --token-stdin) so they are sealed with this key',
    { sealedKeyId: sealedWith, keyId: current },
  );
}

/**
 * Seals with `key`; opens values sealed with `key` or with one of `olderKeys` (the keys a rotation
 * or a switch to SPK_SECRET_KEY left behind, so values sealed with them can be re-sealed).
 */
export function createSecretBox(key: Uint8Array, olderKeys: readonly Uint8Array[] = []): SecretBox {
  if (key.length !== SECRET_KEY_BYTES) throw new Error(`a secret key must be ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
  const keyId = secretKeyId(key);
  const keys = new Map<string, Uint8Array>();
  for (const older of olderKeys) if (older.length === SECRET_KEY_BYTES) keys.set(secretKeyId(older), older);
  keys.set(keyId, key);
  // The prefix up to the key id is authenticated too: a value cannot be passed off as another key's.
  const aad = (id: string) => Buffer.from(`${SEALED_PREFIX}${VERSION}:${id}`);

  return {
    keyId,

    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(keyId));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
      return `${SEALED_PREFIX}${VERSION}:${keyId}:${parts.join(':')}`;
    },

    open(sealed) {
      const match = SEALED_V1.exec(sealed);
      if (!match) {
        throw new SpkError('INTERNAL', 'a stored registry secret is damaged (not in the sealed format); set the registry settings again (spk registry import-npmrc, spk registry set --token-stdin)');
      }
      const [, id, iv, tag, ciphertext] = match as unknown as [string, string, string, string, string];
      const openingKey = keys.get(id);
      if (!openingKey) throw keyMismatchError(id, keyId);
      try {
        const decipher = createDecipheriv(ALGORITHM, openingKey, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
        decipher.setAAD(aad(id));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new SpkError(
          'INTERNAL',
          `a stored registry secret sealed with the key ${id} does not decrypt: it was altered or damaged; set the registry settings again (spk registry import-npmrc, spk registry set --token-stdin)`,
          { sealedKeyId: id },
          { cause: error },
        );
      }
    },

    isSealed(value) {
      return value.startsWith(SEALED_PREFIX);
    },
  };
}
