// The API takes JSON bodies only: a form, XML or plain-text body gets 415 naming the expected type,
// on REST and RPC, and changes nothing (a urlencoded form used to declare a package).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '@spk/tools';

const EXPECTED = 'this API takes request bodies as application/json only, and got a body of type';
const HOW = 'send the input as JSON with "Content-Type: application/json"';

describe('request bodies that are not JSON', () => {
  let server: SpawnedServer;
  const send = (path: string, method: string, contentType: string | null, body?: string, token: string | null = server.token) => {
    const headers: Record<string, string> = {};
    if (contentType !== null) headers['content-type'] = contentType;
    if (token) headers.authorization = `Bearer ${token}`;
    return fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  };
  const declaredNames = async () =>
    ((await (await send('/api/packages', 'GET', null)).json()) as { packages: Array<{ name: string }> }).packages.map((p) => p.name);

  beforeAll(async () => {
    server = await spawnServer();
    // Declared names are looked up in the registry: the fixture registry has the ones the JSON calls use.
    expect((await send('/api/registry', 'PUT', 'application/json', JSON.stringify({ url: inject('registryUrl') }))).status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ['a urlencoded form', 'application/x-www-form-urlencoded', 'name=evil-form&range=1.0.0'],
    ['XML', 'application/xml', '<package><name>evil-xml</name></package>'],
    ['plain text', 'text/plain;charset=UTF-8', '{"name":"evil-text"}'],
    ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nevil-multipart\r\n--x--\r\n'],
  ])('answers 415 to %s on REST, naming the expected type, and declares nothing', async (_label, contentType, body) => {
    const response = await send('/api/packages', 'POST', contentType, body);
    expect(response.status).toBe(415);
    const error = (await response.json()) as { code: string; message: string; data: { code: string } };
    expect(error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', data: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(error.message).toBe(`${EXPECTED} "${contentType.split(';')[0]}"; ${HOW}`);
    expect((await declaredNames()).filter((name) => name.startsWith('evil'))).toEqual([]);
  });

  it('answers 415 on RPC too, in the RPC error shape', async () => {
    const response = await send('/rpc/packages/add', 'POST', 'text/plain', '{"json":{"name":"evil-rpc"}}');
    expect(response.status).toBe(415);
    const { json } = (await response.json()) as { json: { code: string; message: string; data: { code: string } } };
    expect(json).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `${EXPECTED} "text/plain"; ${HOW}`, data: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('refuses a body with no Content-Type at all', async () => {
    const response = await fetch(`${server.url}/api/packages`, { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body: new Uint8Array(Buffer.from('{"name":"evil-untyped"}')) });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toContain('got a body without a Content-Type');
  });

  it('still answers 401 first to a caller without a token', async () => {
    expect((await send('/api/packages', 'POST', 'application/x-www-form-urlencoded', 'name=evil', null)).status).toBe(401);
  });

  it('takes JSON, with or without a charset, on REST and RPC', async () => {
    expect((await send('/api/packages', 'POST', 'application/json; charset=utf-8', '{"name":"spk-fixture-leaf"}')).status).toBe(201);
    expect((await send('/rpc/packages/add', 'POST', 'application/json', '{"json":{"name":"spk-fixture-esm"}}')).status).toBe(200);
    expect(await declaredNames()).toEqual(expect.arrayContaining(['spk-fixture-leaf', 'spk-fixture-esm']));
    // Bodiless calls need no Content-Type.
    expect((await send('/api/install', 'GET', null)).status).toBe(200);
  });
});
