import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { createSecretBox, sealedKeyId, secretKeyId } from './secret-box.ts';

const key = randomBytes(32);
const otherKey = randomBytes(32);
const SECRET = 'npm_SECRET_0123456789abcdef';

function errorOf(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('createSecretBox', () => {
  it('opens what it sealed, and the sealed form names the key id and holds no plaintext', () => {
    const box = createSecretBox(key);
    const sealed = box.seal(SECRET);
    expect(box.keyId).toBe(secretKeyId(key));
    expect(box.keyId).toMatch(/^[0-9a-f]{12}$/);
    expect(sealed).toMatch(new RegExp(`^spk-sealed:v1:${box.keyId}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain(SECRET);
    expect(sealed).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(sealedKeyId(sealed)).toBe(box.keyId);
    expect(box.isSealed(sealed)).toBe(true);
    expect(box.isSealed(SECRET)).toBe(false);
    expect(box.open(sealed)).toBe(SECRET);
    expect(box.open(box.seal(''))).toBe('');
    expect(box.open(box.seal('ünïcödé ✓'))).toBe('ünïcödé ✓');
  });

  it('uses a fresh IV for every seal, so equal secrets do not look equal', () => {
    const box = createSecretBox(key);
    expect(box.seal(SECRET)).not.toBe(box.seal(SECRET));
  });

  it('refuses a tampered value (IV, tag, ciphertext, or the key id swapped for another known key) as damaged', () => {
    const box = createSecretBox(key, [otherKey]);
    const sealed = box.seal(SECRET);
    const parts = sealed.split(':');
    const flip = (text: string) => `${text[0] === 'A' ? 'B' : 'A'}${text.slice(1)}`;
    for (const index of [3, 4, 5]) {
      const tampered = parts.map((part, i) => (i === index ? flip(part) : part)).join(':');
      const error = errorOf(() => box.open(tampered));
      expect(isSpkError(error, 'INTERNAL'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/altered or damaged/);
    }
    const swapped = parts.map((part, i) => (i === 2 ? secretKeyId(otherKey) : part)).join(':');
    expect(isSpkError(errorOf(() => box.open(swapped)), 'INTERNAL')).toBe(true);
    expect(isSpkError(errorOf(() => box.open('spk-sealed:v1:nonsense')), 'INTERNAL')).toBe(true);
  });

  it('refuses a value sealed with another key with SECRET_KEY_MISMATCH naming both key ids and what to do', () => {
    const sealed = createSecretBox(otherKey).seal(SECRET);
    const box = createSecretBox(key);
    const error = errorOf(() => box.open(sealed));
    expect(isSpkError(error, 'SECRET_KEY_MISMATCH')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(secretKeyId(otherKey));
    expect(message).toContain(box.keyId);
    expect(message).toMatch(/set SPK_SECRET_KEY to the key the secrets were sealed with .* on every instance/);
    expect(message).toMatch(/spk registry import-npmrc/);
    expect(message).not.toContain(otherKey.toString('base64'));
    expect(message).not.toContain(key.toString('base64'));
  });

  it('opens values sealed with an older key it was given, and seals only with the current one', () => {
    const sealedWithOld = createSecretBox(otherKey).seal(SECRET);
    const box = createSecretBox(key, [otherKey]);
    expect(box.open(sealedWithOld)).toBe(SECRET);
    expect(sealedKeyId(box.seal(SECRET))).toBe(secretKeyId(key));
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
