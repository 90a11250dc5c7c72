import { describe, expect, it } from 'vitest';
import type { ImportNpmrcResult, RotateKeyResult } from '@spk/common';
import { UsageError } from '../args.ts';
import { captureIo, commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { registryConfig } from '../test-support/registry-config.ts';
import { keyFromStdin, runRegistryCommand, tokenFromStdin } from './registry.ts';

describe('tokenFromStdin', () => {
  it('takes the first line without its line ending', () => {
    expect(tokenFromStdin('npm_abc\n')).toBe('npm_abc');
    expect(tokenFromStdin('npm_abc\r\nignored\n')).toBe('npm_abc');
  });

  it('refuses empty input', () => {
    expect(() => tokenFromStdin('')).toThrow(UsageError);
    expect(() => tokenFromStdin('\n')).toThrow(UsageError);
  });
});

describe('keyFromStdin', () => {
  it('takes the first line and refuses empty input, saying how to give a key', () => {
    expect(keyFromStdin('a2V5\nrest')).toBe('a2V5');
    expect(() => keyFromStdin('')).toThrow(/reads the new key from stdin, and stdin was empty: openssl rand -base64 32 > new-key/);
  });
});

describe('runRegistryCommand', () => {
  function context(stdin: string, options: { json?: boolean; files?: Record<string, string> } = {}) {
    const set = recordingProcedure((input: { url: string; token?: string | null }) =>
      registryConfig({ registry: input.url, url: input.url, hasToken: typeof input.token === 'string', auth: typeof input.token === 'string' ? { '//r.example/': { token: 'set', auth: null, username: null, password: null, alwaysAuth: false } } : {} }),
    );
    const importNpmrc = recordingProcedure(
      (_input: { npmrc: string }): ImportNpmrcResult => ({
        config: registryConfig({ scopes: { '@acme': 'https://npm.acme.example/' } }),
        warnings: ['"color" is not a registry setting: not imported', '"cert": client certificates (mutual TLS) are not supported'],
      }),
    );
    const rotateKey = recordingProcedure(
      (_input: { key: string }): RotateKeyResult => ({ reencrypted: 3, keyId: 'abcdefabcdef', source: 'env', note: 'set SPK_SECRET_KEY to the new key on every instance' }),
    );
    const get = recordingProcedure(() => registryConfig());
    const files = options.files ?? {};
    const io = captureIo({
      readStdin: async () => stdin,
      readTextFile: async (file) => {
        if (!(file in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
        return files[file]!;
      },
    });
    const { ctx, out, err } = commandContext({ registry: { get, set, importNpmrc, rotateKey } }, { io, json: options.json ?? false });
    return { ctx, out, err, set, importNpmrc, rotateKey };
  }

  it('sends the token read from stdin and never prints it', async () => {
    const { ctx, set, out } = context('npm_secret_value\n');
    await runRegistryCommand(ctx, { kind: 'registry.set', url: 'https://r.example/', tokenStdin: true, clearToken: false });
    expect(set.inputs).toEqual([{ url: 'https://r.example/', token: 'npm_secret_value' }]);
    expect(out.join('')).not.toContain('npm_secret_value');
    expect(out.join('')).toMatch(/^registry set\nregistry: {10}https:\/\/r\.example\/ \(credentials set\)\n/);
    expect(out.join('')).toContain('//r.example/  token set');
  });

  it('keeps the stored token unless told to clear it', async () => {
    const { ctx, set } = context('');
    await runRegistryCommand(ctx, { kind: 'registry.set', url: 'https://r.example/', tokenStdin: false, clearToken: false });
    await runRegistryCommand(ctx, { kind: 'registry.set', url: 'https://r.example/', tokenStdin: false, clearToken: true });
    expect(set.inputs).toEqual([{ url: 'https://r.example/' }, { url: 'https://r.example/', token: null }]);
  });

  it('prints the whole configuration for get, and the raw answer with --json', async () => {
    const human = context('');
    await runRegistryCommand(human.ctx, { kind: 'registry.get' });
    expect(human.out.join('')).toMatch(/^registry: {10}https:\/\/registry\.npmjs\.org\/ \(no credentials\)\n[\s\S]*secret key: {8}id 0123456789ab/);
    const json = context('', { json: true });
    await runRegistryCommand(json.ctx, { kind: 'registry.get' });
    expect(JSON.parse(json.out.join(''))).toEqual(registryConfig());
  });

  it('imports an .npmrc file: sends its text, prints the configuration and each warning on stderr', async () => {
    const npmrc = '@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${ACME_TOKEN}\ncolor=true\n';
    const { ctx, importNpmrc, out, err } = context('', { files: { 'company.npmrc': npmrc } });
    await runRegistryCommand(ctx, { kind: 'registry.importNpmrc', file: 'company.npmrc' });
    expect(importNpmrc.inputs).toEqual([{ npmrc }]);
    expect(out.join('')).toMatch(/^imported the registry settings of company\.npmrc\nregistry: .*\nscoped registries: @acme {2}https:\/\/npm\.acme\.example\/\n/);
    expect(err).toEqual([
      'warning: "color" is not a registry setting: not imported\n',
      'warning: "cert": client certificates (mutual TLS) are not supported\n',
    ]);
  });

  it('imports from stdin with "-", and prints warnings only inside the JSON under --json', async () => {
    const { ctx, importNpmrc, out, err } = context('registry=https://r.example/\n', { json: true });
    await runRegistryCommand(ctx, { kind: 'registry.importNpmrc', file: '-' });
    expect(importNpmrc.inputs).toEqual([{ npmrc: 'registry=https://r.example/\n' }]);
    expect(JSON.parse(out.join(''))).toMatchObject({ warnings: [expect.stringContaining('color'), expect.stringContaining('cert')] });
    expect(err).toEqual([]);
  });

  it('refuses a file it cannot read before calling the server', async () => {
    const { ctx, importNpmrc } = context('');
    await expect(runRegistryCommand(ctx, { kind: 'registry.importNpmrc', file: 'nope.npmrc' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'cannot read nope.npmrc (ENOENT); give the path of an .npmrc file, or - to read it from stdin',
    });
    expect(importNpmrc.inputs).toEqual([]);
  });

  it('rotates the key read from stdin and prints the count, key id and note, never the key', async () => {
    const key = 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=';
    const { ctx, rotateKey, out } = context(`${key}\n`);
    await runRegistryCommand(ctx, { kind: 'registry.rotateKey' });
    expect(rotateKey.inputs).toEqual([{ key }]);
    expect(out.join('')).toBe('re-encrypted 3 secrets with the key abcdefabcdef\nset SPK_SECRET_KEY to the new key on every instance\n');
  });
});
