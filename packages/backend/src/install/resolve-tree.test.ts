import { describe, expect, it } from 'vitest';
import { toResolveError } from './resolve-tree.ts';

const options = { registry: 'http://u:hunter2@registry.test/', timeout: 60_000 };

describe('toResolveError', () => {
  it.each([
    ['minipass-fetch request timer', { code: 'FETCH_ERROR', type: 'request-timeout' }],
    ['minipass-fetch body timer', { code: 'FETCH_ERROR', type: 'body-timeout' }],
    ['npm agent idle socket', { code: 'EIDLETIMEOUT' }],
    ['OS connect timeout', { code: 'ETIMEDOUT' }],
    ['node socket timeout', { code: 'ERR_SOCKET_TIMEOUT' }],
  ])('says "timed out" for a cut-off request (%s), naming the limit', (_, error) => {
    const mapped = toResolveError({ ...error, message: 'network timeout at: http://u:hunter2@registry.test/x', pkgid: 'x@1.0.0' }, options);
    expect(mapped.code).toBe('REGISTRY_UNREACHABLE');
    expect(mapped.message).toContain('timed out');
    expect(mapped.message).toContain('within 60 s');
    expect(mapped.message).toContain('x@1.0.0');
  });

  it('never puts URL credentials into a message, whether from the settings or from npm', () => {
    const messages = [
      toResolveError({ code: 'E404', pkgid: 'x' }, options).message,
      toResolveError({ code: 'ECONNREFUSED' }, options).message,
      toResolveError({ code: 'EWHATEVER', message: 'GET http://u:hunter2@registry.test/x failed' }, options).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain('hunter2');
      expect(message).toContain('http://***@registry.test/');
    }
  });
});
