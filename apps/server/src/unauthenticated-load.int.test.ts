import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '@spk/tools';

const JUNK_BYTES = 1_900_000;

interface Sent {
  /** The status line and body of the answer. */
  status: number;
  body: string;
  /** Body bytes this client had written when the answer arrived. */
  writtenWhenAnswered: number;
}

/**
 * Sends the request head and only `send` bytes of a `declared`-byte body, then waits for the answer
 * without sending more: a server that reads the body before answering never answers.
 */
function sendPartially(server: SpawnedServer, head: { method: string; path: string; token?: string }, declared: number, send: number): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(server.port, '127.0.0.1');
    let response = '';
    let written = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 10 s to ${head.method} ${head.path} with ${written} of ${declared} body bytes sent`));
    }, 10_000);
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      const lines = [`${head.method} ${head.path} HTTP/1.1`, 'host: 127.0.0.1', 'content-type: application/json', `content-length: ${declared}`];
      if (head.token) lines.push(`authorization: Bearer ${head.token}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (send > 0) socket.write(Buffer.alloc(send, 0x7b));
      written = send;
    });
    socket.on('data', (chunk) => {
      response += chunk.toString('latin1');
      const end = response.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = /content-length: (\d+)/i.exec(response.slice(0, end));
      const body = response.slice(end + 4);
      if (length && body.length < Number(length[1])) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(response.slice(9, 12)), body, writtenWhenAnswered: written });
    });
  });
}

describe('unauthenticated callers', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer();
  });
  afterAll(() => server?.stop());

  it.each([
    ['REST', 'POST', '/api/packages', (b: string) => (JSON.parse(b) as { data: { code: string } }).data.code],
    ['RPC', 'POST', '/rpc/packages/add', (b: string) => (JSON.parse(b) as { json: { data: { code: string } } }).json.data.code],
    ['a plain route', 'GET', `/blobs/${'a'.repeat(128)}`, (b: string) => (JSON.parse(b) as { code: string }).code],
  ])('get 401 on %s before sending their body, with a wrong token or none', async (_surface, method, path, codeOf) => {
    for (const token of ['wrong-token-wrong-token', undefined]) {
      const sent = await sendPartially(server, { method, path, ...(token ? { token } : {}) }, JUNK_BYTES, 0);
      expect(sent.status).toBe(401);
      expect(codeOf(sent.body)).toBe('UNAUTHORIZED');
    }
  });

  it('get 401, not a parse error, for a malformed body: the body is never parsed', async () => {
    const res = await fetch(`${server.url}/api/packages`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-token-wrong-token', 'content-type': 'application/json' },
      body: '{"name": "unterminated',
    });
    expect(res.status).toBe(401);
  });

  it('get 413 for a declared body over the limit before sending it, even with a valid token', async () => {
    const sent = await sendPartially(server, { method: 'POST', path: '/api/packages', token: server.token }, 3 * 1024 * 1024, 0);
    expect(sent.status).toBe(413);
  });

  it('that stall mid-body after their 401 are cut off within seconds', async () => {
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(`POST /api/packages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${JUNK_BYTES}\r\n\r\n`);
    socket.write(Buffer.alloc(64 * 1024, 0x7b));
    const [first] = (await once(socket, 'data')) as [Buffer];
    expect(first.toString('latin1')).toMatch(/^HTTP\/1\.1 401/);
    const answered = Date.now();
    socket.resume();
    await once(socket, 'close');
    expect(Date.now() - answered).toBeLessThan(8_000);
  });

  it('sending many 1.9 MB bodies at once hold up neither themselves nor an authenticated request', async () => {
    // Each junk request withholds most of its body: every answer arriving proves none was awaited.
    const junk = Array.from({ length: 60 }, (_, i) =>
      sendPartially(server, { method: 'POST', path: i % 2 ? '/rpc/packages/add' : '/api/packages' }, JUNK_BYTES, 64 * 1024),
    );
    // And some send it all, as a plain client would: the server throws it away unparsed, so the
    // client reads its 401 instead of a connection reset.
    const full = Array.from({ length: 10 }, () =>
      fetch(`${server.url}/api/packages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(JUNK_BYTES) }).then(
        (r) => r.status,
        () => 'connection closed early',
      ),
    );
    const started = Date.now();
    const real = await fetch(`${server.url}/api/packages`, { headers: { authorization: `Bearer ${server.token}` } });
    const elapsed = Date.now() - started;
    expect(real.status).toBe(200);
    // Generous for a loaded 2-core machine: only the token check stands between the junk and this.
    expect(elapsed).toBeLessThan(2_000);

    const answers = await Promise.all(junk);
    expect(answers.every((a) => a.status === 401 && a.writtenWhenAnswered < JUNK_BYTES)).toBe(true);
    expect(new Set(await Promise.all(full))).toEqual(new Set([401]));
  });
});
