import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { parseTypesRequest } from './types-route.ts';

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
    expect(refusal(`/${hash}/%2e%2e`)).toMatch(/^"\.\." is not a valid npm package name \(.+\); .*encodeURIComponent/);
    expect(refusal(`/${hash}/Bad%20Name`)).toContain('"Bad Name" is not a valid npm package name');
    expect(refusal(`/${hash}/%2e%2e%2Fetc`)).toContain('"../etc" is not a valid npm package name');
    expect(refusal(`/${hash}/`)).toContain('a package name is missing');
    expect(refusal(`/${hash}/%zz`)).toContain('not valid percent-encoding');
    expect(refusal('x')).toContain('no types path');
  });
});
