import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './args.ts';
import { resolveConnection, resolveServerUrl, resolveToken, resolveTokenFilePath, type ResolveDeps } from './client.ts';

const noFlags = { server: undefined, token: undefined, dataDir: undefined, json: false };

function deps(env: Record<string, string>, files: Record<string, string> = {}): ResolveDeps & { reads: string[] } {
  const reads: string[] = [];
  return {
    env,
    cwd: '/work',
    reads,
    async readFile(filePath) {
      reads.push(filePath);
      return files[filePath] ?? null;
    },
  };
}

describe('resolveServerUrl', () => {
  it('prefers --server over SPK_SERVER over HOST/PORT', () => {
    const env = { SPK_SERVER: 'http://env:1', HOST: 'h', PORT: '9' };
    expect(resolveServerUrl({ server: 'http://flag:2/' }, env)).toEqual({ serverUrl: 'http://flag:2', serverSource: '--server' });
    expect(resolveServerUrl({ server: undefined }, env)).toEqual({ serverUrl: 'http://env:1', serverSource: 'SPK_SERVER' });
    expect(resolveServerUrl({ server: undefined }, { HOST: 'h', PORT: '9' })).toEqual({ serverUrl: 'http://h:9', serverSource: 'default' });
  });

  it('defaults to the server defaults, 127.0.0.1:3000', () => {
    expect(resolveServerUrl({ server: undefined }, {}).serverUrl).toBe('http://127.0.0.1:3000');
    expect(resolveServerUrl({ server: undefined }, { PORT: '4000' }).serverUrl).toBe('http://127.0.0.1:4000');
  });

  it('connects to loopback when the server binds every interface', () => {
    expect(resolveServerUrl({ server: undefined }, { HOST: '0.0.0.0' }).serverUrl).toBe('http://127.0.0.1:3000');
    expect(resolveServerUrl({ server: undefined }, { HOST: '::' }).serverUrl).toBe('http://[::1]:3000');
    expect(resolveServerUrl({ server: undefined }, { HOST: '::1' }).serverUrl).toBe('http://[::1]:3000');
  });

  it('keeps a path prefix and drops trailing slashes', () => {
    expect(resolveServerUrl({ server: 'https://proxy.example/spk/' }, {}).serverUrl).toBe('https://proxy.example/spk');
  });

  it('refuses a URL that is not http(s) or carries credentials', () => {
    expect(() => resolveServerUrl({ server: 'localhost:3000' }, {})).toThrow(UsageError);
    expect(() => resolveServerUrl({ server: 'ftp://h' }, {})).toThrow(/http\(s\)/);
    expect(() => resolveServerUrl({ server: undefined }, { SPK_SERVER: 'nope' })).toThrow(/SPK_SERVER/);
    expect(() => resolveServerUrl({ server: 'http://u:p@h' }, {})).toThrow(/credentials/);
  });
});

describe('resolveTokenFilePath', () => {
  it('prefers --data-dir over SPK_DATA_DIR over ./.data, relative to the working directory', () => {
    expect(resolveTokenFilePath({ dataDir: 'flagdir' }, { SPK_DATA_DIR: '/envdir' }, '/work')).toBe(path.resolve('/work/flagdir/admin-token'));
    expect(resolveTokenFilePath({ dataDir: undefined }, { SPK_DATA_DIR: '/envdir' }, '/work')).toBe(path.resolve('/envdir/admin-token'));
    expect(resolveTokenFilePath({ dataDir: undefined }, {}, '/work')).toBe(path.resolve('/work/.data/admin-token'));
  });
});

describe('resolveToken', () => {
  const file = path.resolve('/work/.data/admin-token');

  it('takes --token first without reading the token file', async () => {
    const d = deps({ SPK_TOKEN: 'env-token' }, { [file]: 'file-token' });
    expect(await resolveToken({ ...noFlags, token: 'flag-token' }, d)).toEqual({ token: 'flag-token', tokenSource: { kind: 'flag' } });
    expect(d.reads).toEqual([]);
  });

  it('takes SPK_TOKEN over the token file', async () => {
    const d = deps({ SPK_TOKEN: ' env-token\n' }, { [file]: 'file-token' });
    expect(await resolveToken(noFlags, d)).toEqual({ token: 'env-token', tokenSource: { kind: 'env', name: 'SPK_TOKEN' } });
    expect(d.reads).toEqual([]);
  });

  it('falls back to <data dir>/admin-token, trimmed', async () => {
    const d = deps({ SPK_TOKEN: '' }, { [file]: 'file-token\n' });
    expect(await resolveToken(noFlags, d)).toEqual({ token: 'file-token', tokenSource: { kind: 'file', path: file } });
  });

  it('reads the token file of the --data-dir', async () => {
    const other = path.resolve('/srv/spk/admin-token');
    const d = deps({}, { [file]: 'wrong', [other]: 'right' });
    expect((await resolveToken({ ...noFlags, dataDir: '/srv/spk' }, d)).token).toBe('right');
  });

  it('reports where it looked when there is no token, and why', async () => {
    expect(await resolveToken(noFlags, deps({}))).toEqual({ token: null, tokenSource: { kind: 'none', path: file, reason: 'does not exist' } });
    expect((await resolveToken(noFlags, deps({}, { [file]: '  \n' }))).tokenSource).toMatchObject({ kind: 'none', reason: 'is empty' });
    const unreadable: ResolveDeps = {
      env: {},
      cwd: '/work',
      readFile: async () => {
        throw Object.assign(new Error('denied'), { code: 'EACCES' });
      },
    };
    expect((await resolveToken(noFlags, unreadable)).tokenSource).toEqual({ kind: 'none', path: file, reason: 'cannot be read (EACCES)' });
  });
});

describe('resolveConnection', () => {
  it('combines URL and token resolution', async () => {
    const connection = await resolveConnection({ ...noFlags, server: 'http://s:1' }, deps({ SPK_TOKEN: 't' }));
    expect(connection).toEqual({ serverUrl: 'http://s:1', serverSource: '--server', token: 't', tokenSource: { kind: 'env', name: 'SPK_TOKEN' } });
  });
});
