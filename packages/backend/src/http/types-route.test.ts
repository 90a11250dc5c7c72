import { describe, expect, it } from 'vitest';
import { isSpkError, SpkError } from '@spk/common';
import { startLoopbackServer } from '@spk/tools';
import { TEST_ADMIN } from '../testing/test-backend.ts';
import { createTypesRoute, parseTypesRequest, type TypesRouteDeps } from './types-route.ts';

const hash = 'a'.repeat(64);

function refusal(subpath: string): string {
  try {
    parseTypesRequest(subpath);
  } catch (error) {
    if (isSpkError(error, 'INVALID_INPUT')) return error.message;
    throw error;
  }
  throw new Error(`${subpath} was accepted`);
}

describe('types request paths', () => {
  it('reads the current index, a hash index, and closures of plain and scoped names as sent', () => {
    expect(parseTypesRequest('')).toEqual({ kind: 'current-index' });
    expect(parseTypesRequest(`/${hash}`)).toEqual({ kind: 'index', lockfileHash: hash });
    expect(parseTypesRequest(`/${hash}/spk-fixture-typed`)).toEqual({ kind: 'closure', lockfileHash: hash, name: 'spk-fixture-typed' });
    expect(parseTypesRequest(`/${hash}/${encodeURIComponent('@spk-fixtures/scoped')}`)).toEqual({ kind: 'closure', lockfileHash: hash, name: '@spk-fixtures/scoped' });
  });

  it('refuses a hash that is not a sha256 hex digest, naming it and the expected form', () => {
    const message = refusal(`/${hash.toUpperCase()}`);
    expect(message).toContain(JSON.stringify(hash.toUpperCase()));
    expect(message).toContain('64 characters 0-9a-f');
    expect(refusal(`/${hash.slice(1)}/zod`)).toContain('not a sha256 hex digest');
    expect(refusal('/')).toContain('not a sha256 hex digest');
  });

  it('refuses an encoded dot-dot, a space, a missing name and bad percent-encoding, saying how to encode names', () => {
    expect(refusal(`/${hash}/%2e%2e`)).toMatch(/^"\.\." is not a valid npm package name: it reads as a local directory \(file:\) spec; ask for an installed package .*encodeURIComponent/);
    // The name and the verdict are said once.
    expect(refusal(`/${hash}/x%20y`).match(/is not a valid npm package name/g)).toHaveLength(1);
    expect(refusal(`/${hash}/x%20y`).match(/"x y"/g)).toHaveLength(1);
    expect(refusal(`/${hash}/${'a'.repeat(215)}`)).toMatch(/^"a{80}…" is not a valid npm package name: .*214/);
    expect(refusal(`/${hash}/Bad%20Name`)).toMatch(/^"Bad Name" is not a valid npm package name: name can only contain URL-friendly characters; name can no longer contain capital letters; ask/);
    expect(refusal(`/${hash}/%2e%2e%2Fetc`)).toContain('"../etc" is not a valid npm package name: it reads as a local directory (file:) spec; ask');
    expect(refusal(`/${hash}/`)).toContain('a package name is missing');
    expect(refusal(`/${hash}/%zz`)).toContain('not valid percent-encoding');
    expect(refusal('x')).toContain('no types path');
  });
});

describe('types route answers', () => {
  /** The route over `types`, on a loopback server; what the route throws ends the request as a bare 500. */
  async function get(types: TypesRouteDeps, subpath: string): Promise<{ status: number; headers: Headers; body: string }> {
    const route = createTypesRoute(types);
    const server = await startLoopbackServer((req, res) => {
      route.handle(req, res, { principal: TEST_ADMIN, subpath: (req.url ?? '').slice('/types'.length) }).catch(() => {
        res.writeHead(500);
        res.end('thrown');
      });
    });
    try {
      const response = await fetch(`${server.url}/types${subpath}`);
      return { status: response.status, headers: response.headers, body: await response.text() };
    } finally {
      await server.close();
    }
  }
  const failing = (error: unknown): TypesRouteDeps => ({ index: () => Promise.reject(error), closure: () => Promise.reject(error) });

  it('sends the types service’s INTERNAL with its advice and no cache headers; other server failures are thrown', async () => {
    const lacking = new SpkError('INTERNAL', `this instance's tree for ${hash.slice(0, 12)} lacks zod; run "spk hosts fsck --repair" on this host`);
    const answer = await get(failing(lacking), `/${hash}/zod`);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({ code: 'INTERNAL', message: lacking.message });
    expect(answer.headers.get('cache-control')).toBeNull();
    expect(answer.headers.get('etag')).toBeNull();
    expect((await get(failing(new Error('/data/secret/path: EIO')), `/${hash}/zod`)).body).toBe('thrown');
    expect((await get(failing(new SpkError('DATA_DIR_UNUSABLE', '/data/secret/path is unusable')), `/${hash}/zod`)).body).toBe('thrown');
  });
});
