import { describe, expect, it } from 'vitest';
import { bodyTypeRefusal } from './body-type.ts';

describe('bodyTypeRefusal', () => {
  it.each([
    ['application/json', { 'content-type': 'application/json', 'content-length': '2' }],
    ['JSON with a charset, any case', { 'content-type': 'Application/JSON; charset=utf-8', 'content-length': '2' }],
    ['no body at all', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' }],
    ['no body and no type (GET)', {}],
  ])('lets %s through', (_label, headers) => {
    expect(bodyTypeRefusal(headers)).toBeNull();
  });

  it.each([
    ['a form', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '9' }, '"application/x-www-form-urlencoded"'],
    ['XML', { 'content-type': 'application/xml', 'content-length': '9' }, '"application/xml"'],
    ['plain text, chunked', { 'content-type': 'text/plain;charset=UTF-8', 'transfer-encoding': 'chunked' }, '"text/plain"'],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x', 'content-length': '9' }, '"multipart/form-data"'],
    ['a JSON look-alike', { 'content-type': 'application/jsonx', 'content-length': '9' }, '"application/jsonx"'],
  ])('refuses %s with 415 naming what came and what to send', (_label, headers, got) => {
    const refusal = bodyTypeRefusal(headers);
    expect(refusal).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(refusal?.message).toBe(
      `this API takes request bodies as application/json only, and got a body of type ${got}; send the input as JSON with "Content-Type: application/json"`,
    );
  });

  it('refuses a body without any Content-Type, saying so', () => {
    expect(bodyTypeRefusal({ 'content-length': '5' })?.message).toMatch(/^this API takes request bodies as application\/json only, and got a body without a Content-Type;/);
  });
});
