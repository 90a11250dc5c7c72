import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('SPK_SECRET_KEY', () => {
  it('is optional (the server then keeps a generated key in its data dir) and passed on when valid', () => {
    expect(loadConfig({}).secretKey).toBeUndefined();
    expect(loadConfig({ SPK_SECRET_KEY: '' }).secretKey).toBeUndefined();
    const key = randomBytes(32).toString('base64');
    expect(loadConfig({ SPK_SECRET_KEY: key }).secretKey).toBe(key);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64'), 'decodes to 16 bytes, not 32'],
    ['not base64', 'correct horse battery staple!', 'is not base64'],
  ])('refuses a key %s at start, saying how to make one and never quoting it', (_label, value, problem) => {
    let message = '';
    try {
      loadConfig({ SPK_SECRET_KEY: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`SPK_SECRET_KEY: ${problem}`);
    expect(message).toContain('it must be 32 random bytes, base64-encoded; make one with `openssl rand -base64 32`');
    expect(message).not.toContain(value);
  });
});
