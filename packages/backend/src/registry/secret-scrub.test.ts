import { describe, expect, it } from 'vitest';
import { registrySettings } from '../testing/registry-settings.ts';
import { withoutSecrets } from './secret-scrub.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('withoutSecrets', () => {
  const settings = registrySettings({
    auth: {
      '//a.example/': { token: 'npm_tokenA_0123456789' },
      '//b.example/': { auth: b64('bee:bee-password-1') },
      '//c.example/': { username: 'cee', password: 'cee-password-2' },
    },
  });

  it('cuts every form a configured secret takes on the wire or in a file, URL credentials and query strings', () => {
    const text = [
      'npm_tokenA_0123456789',
      b64('bee:bee-password-1'),
      'bee:bee-password-1',
      b64('cee:cee-password-2'),
      b64('cee-password-2'),
      encodeURIComponent('cee-password-2'),
      'https://u:p@host.example/x.tgz?sig=abcdef',
    ].join(' | ');
    expect(withoutSecrets(text, settings)).toBe('*** | *** | *** | *** | *** | *** | https://***@host.example/x.tgz');
  });

  it('leaves a message without secrets as it is', () => {
    expect(withoutSecrets('No matching version found for x@^2.', settings)).toBe('No matching version found for x@^2.');
  });
});
