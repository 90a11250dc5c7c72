import { describe, expect, it } from 'vitest';
import { base64KeyForms, basicAuthForms, createCapture, describeLeaks, findSecrets, namedSecret, secretForms } from './secret-grep.ts';

const TOKEN = 'npm_Tok3n/with+odd"chars';

describe('secret grep', () => {
  it('finds a secret in every form it may leave in: raw, base64, base64url, hex, URI-encoded, JSON-escaped', () => {
    const bytes = Buffer.from(TOKEN);
    const texts = [
      `Authorization: Bearer ${TOKEN}`,
      `Authorization: Basic ${bytes.toString('base64')}`,
      `cookie=${bytes.toString('base64url')}`,
      `digest ${bytes.toString('hex')}`,
      `GET /x?token=${encodeURIComponent(TOKEN)}`,
      JSON.stringify({ token: TOKEN }),
    ];
    for (const text of texts) {
      expect(findSecrets([{ source: 'log', text }], [namedSecret('token', TOKEN)]), text).not.toEqual([]);
    }
  });

  it('finds base64 without its padding, as an embedded value may carry it', () => {
    const secret = 'abcdefghij'; // base64 ends in "=="
    const unpadded = Buffer.from(secret).toString('base64').replace(/=+$/, '');
    expect(findSecrets([{ source: 'log', text: `x${unpadded}y` }], [namedSecret('s', secret)])).toHaveLength(1);
  });

  it('finds the user:password of basic auth and the password alone', () => {
    const forms = basicAuthForms('corp', 'hunter2-hunter2');
    const basic = Buffer.from('corp:hunter2-hunter2').toString('base64');
    expect(findSecrets([{ source: 'a', text: `Basic ${basic}` }], [{ label: 'corp', forms }]).map((l) => l.secret)).toContain('corp (user:password base64)');
    expect(findSecrets([{ source: 'b', text: 'pw=hunter2-hunter2' }], [{ label: 'corp', forms }]).map((l) => l.secret)).toEqual(['corp (password raw)']);
  });

  it('finds a base64 key by the bytes it stands for', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const hex = Buffer.alloc(32, 7).toString('hex');
    expect(findSecrets([{ source: 'log', text: `key=${hex}` }], [{ label: 'key', forms: base64KeyForms(key) }])).toHaveLength(1);
  });

  it('reports where and which secret leaked without printing the secret', () => {
    const capture = createCapture();
    capture.add('GET /api/registry response', { auth: { token: TOKEN } });
    capture.add('server stderr', 'nothing here');
    const leaks = findSecrets(capture.entries, [namedSecret('corp token', TOKEN)]);
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toMatchObject({ source: 'GET /api/registry response', secret: 'corp token (JSON-escaped)' });
    const described = describeLeaks(leaks);
    expect(described).toContain('corp token (JSON-escaped) in GET /api/registry response');
    for (const { value } of secretForms(TOKEN)) expect(described).not.toContain(value);
  });

  it('finds nothing in text without the secret, and refuses a secret short enough to match by chance', () => {
    expect(findSecrets([{ source: 'log', text: 'set, ends in …hars' }], [namedSecret('token', TOKEN)])).toEqual([]);
    expect(() => secretForms('abc')).toThrow(/at least 8 characters/);
  });
});
