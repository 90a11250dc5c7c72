import { describe, expect, it } from 'vitest';
import { registryConfigInputSchema } from './registries.ts';
import { hasUrlCredentials, redactUrlCredentials } from './redact.ts';

describe('URL credentials', () => {
  it('redacts user:password@ in a bare URL and in every URL of a message, and nothing else', () => {
    expect(redactUrlCredentials('https://u:p@registry.example/npm/')).toBe('https://***@registry.example/npm/');
    expect(redactUrlCredentials('https://token@registry.example')).toBe('https://***@registry.example');
    // A raw "@" inside the password: everything up to the host goes.
    expect(redactUrlCredentials('http://u:p@ss@127.0.0.1:4873/x')).toBe('http://***@127.0.0.1:4873/x');
    expect(redactUrlCredentials('404 Not Found - GET http://a:b@h/pkg - see https://c:d@i/ or mail me@example.org')).toBe(
      '404 Not Found - GET http://***@h/pkg - see https://***@i/ or mail me@example.org',
    );
    expect(redactUrlCredentials('https://registry.npmjs.org/@scope%2fname')).toBe('https://registry.npmjs.org/@scope%2fname');
  });

  it('tells URLs with a user name or password apart', () => {
    expect(hasUrlCredentials('https://u:p@h/')).toBe(true);
    expect(hasUrlCredentials('https://u@h/')).toBe(true);
    expect(hasUrlCredentials('https://h/@scope%2fname')).toBe(false);
    expect(hasUrlCredentials('not a url')).toBe(false);
  });

  it('refuses a registry URL carrying credentials, pointing at --token-stdin instead', () => {
    const parsed = registryConfigInputSchema.safeParse({ url: 'https://user:secret@registry.example/' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain('--token-stdin');
    expect(parsed.error?.issues[0]?.message).not.toContain('secret');
    expect(registryConfigInputSchema.safeParse({ url: 'https://registry.example/', token: 'secret' }).success).toBe(true);
  });
});
