import { describe, expect, it } from 'vitest';
import { networkErrorCode } from './network-errors.ts';

describe('networkErrorCode', () => {
  it('finds the errno code nested in causes and aggregate errors', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), { code: 'ECONNREFUSED' }) });
    expect(networkErrorCode(refused)).toBe('ECONNREFUSED');
    const aggregate = new AggregateError([Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })], 'all failed');
    expect(networkErrorCode(new TypeError('fetch failed', { cause: aggregate }))).toBe('EHOSTUNREACH');
  });

  it('names a fetch refused before connecting, and a body cut short, without an errno code', () => {
    expect(networkErrorCode(new TypeError('fetch failed', { cause: new Error('bad port') }))).toBe('fetch failed: bad port');
    expect(networkErrorCode(new TypeError('terminated', { cause: new Error('other side closed') }))).toBe('terminated: other side closed');
  });

  it('is null for an answer from the server or any other error', () => {
    expect(networkErrorCode(Object.assign(new Error('HTTP 500'), { code: 'INTERNAL' }))).toBeNull();
    expect(networkErrorCode(new Error('something else'))).toBeNull();
  });
});
