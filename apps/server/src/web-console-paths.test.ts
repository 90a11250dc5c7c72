import { describe, expect, it } from 'vitest';
import { ifNoneMatchHits } from '@spk/backend';
import { consoleRequestOf, contentTypeOf, etagOf, WEB_CONSOLE_CSP } from './web-console-paths.ts';

describe('which requests are the console', () => {
  it.each(['/', '/index.html', '/?next=x', '/index.html#top'])('%s is the page', (target) => {
    expect(consoleRequestOf(target)).toEqual({ kind: 'page' });
  });

  it('an asset is one decoded file name under /assets/', () => {
    expect(consoleRequestOf('/assets/index-Ch9eZn3x.js')).toEqual({ kind: 'asset', name: 'index-Ch9eZn3x.js' });
    expect(consoleRequestOf('/assets/ts.worker-C%2BYz4.js?v=1')).toEqual({ kind: 'asset', name: 'ts.worker-C+Yz4.js' });
  });

  it.each([
    '/assets/../secret',
    '/assets/..',
    '/assets/%2e%2e/secret',
    '/assets/%2E%2E',
    '/assets/..%2f..%2fsecret',
    '/assets/sub/app.js',
    '/assets/a%2fb.js',
    '/assets/..\\secret',
    '/assets/a%5cb.js',
    '/assets/a%00.js',
    '/assets/a%0a.js',
    '/assets/.hidden',
    '/assets/',
    '/assets/%E0%A4%A',
  ])('%s is refused as an asset path', (target) => {
    expect(consoleRequestOf(target)).toMatchObject({ kind: 'bad-asset' });
  });

  it.each(['/rpc/packages/list', '/api/packages', '/healthz', '/assets', '/assetsx/a.js', '/index.htm', '/x/../assets/a.js'])('%s is not the console', (target) => {
    expect(consoleRequestOf(target)).toBeNull();
  });
});

describe('content types', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['index-abc.js', 'text/javascript; charset=utf-8'],
    ['index-abc.CSS', 'text/css; charset=utf-8'],
    ['codicon-abc.ttf', 'font/ttf'],
    ['font-abc.woff2', 'font/woff2'],
    ['font-abc.woff', 'font/woff'],
    ['logo-abc.svg', 'image/svg+xml'],
    ['logo-abc.png', 'image/png'],
    ['data-abc.json', 'application/json'],
    ['index-abc.js.map', 'application/json'],
    ['lib-abc.wasm', 'application/wasm'],
    ['blob-abc', 'application/octet-stream'],
  ])('%s is %s', (name, type) => {
    expect(contentTypeOf(name)).toBe(type);
  });
});

describe('ETags', () => {
  const etag = etagOf(Buffer.from('console'));

  it('are strong, quoted and change with the bytes', () => {
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(etagOf(Buffer.from('console!'))).not.toBe(etag);
  });

  it('match If-None-Match exactly, in a list, weakly, or by * (as web-console.ts asks the shared parser)', () => {
    const etagMatches = (field: string | undefined) => ifNoneMatchHits(field, etag.slice(1, -1));
    expect(etagMatches(etag)).toBe(true);
    expect(etagMatches(`"other", ${etag}`)).toBe(true);
    expect(etagMatches(`W/${etag}`)).toBe(true);
    expect(etagMatches('*')).toBe(true);
    expect(etagMatches('"other"')).toBe(false);
    expect(etagMatches(undefined)).toBe(false);
  });
});

it('the page policy allows its own scripts, blob: workers and inline styles, and nothing from elsewhere', () => {
  const directives = new Map(WEB_CONSOLE_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
  expect(directives.get('script-src')).toBe("'self'");
  expect(directives.get('worker-src')).toBe("'self' blob:");
  expect(directives.get('style-src')).toBe("'self' 'unsafe-inline'");
  expect(directives.get('connect-src')).toBe("'self'");
  expect(directives.get('frame-ancestors')).toBe("'none'");
});
