import { describe, expect, it } from 'vitest';
import { isSpkError } from './errors.ts';
import { hexToIntegrity, integrityToHex } from './integrity.ts';

describe('integrity <-> hex', () => {
  // A real digest, and its base64 and hex forms computed independently of the code under test.
  const digest = new Uint8Array(64).map((_, i) => (i * 37 + 11) % 256);
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  const integrity = `sha512-${btoa(String.fromCharCode(...digest))}`;

  it('maps an integrity to its digest in hex and back', () => {
    expect(integrityToHex(integrity)).toBe(hex);
    expect(hexToIntegrity(hex)).toBe(integrity);
  });

  it('agrees with the form Node and ssri print', () => {
    expect(integrityToHex('sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==')).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
  });

  it.each(['sha1-abc', 'sha512-short==', `${integrity}?opt`, '../../etc/passwd'])('refuses %s as an integrity', (bad) => {
    expect(() => integrityToHex(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it.each(['not-hex', 'A'.repeat(128), 'a'.repeat(127), `${'a'.repeat(127)}/`])('refuses %s as a digest', (bad) => {
    let error: unknown;
    try {
      hexToIntegrity(bad);
    } catch (e) {
      error = e;
    }
    expect(isSpkError(error, 'INVALID_INPUT')).toBe(true);
  });
});
