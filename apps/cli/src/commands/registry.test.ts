import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.ts';
import { captureIo, commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { runRegistryCommand, tokenFromStdin } from './registry.ts';

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

describe('runRegistryCommand', () => {
  function context(stdin: string) {
    const set = recordingProcedure((input: { url: string; token?: string | null }) => ({ url: input.url, hasToken: typeof input.token === 'string', updatedAt: null }));
    const { ctx, out } = commandContext({ registry: { set } }, { io: captureIo({ readStdin: async () => stdin }) });
    return { ctx, inputs: set.inputs, out };
  }

  it('sends the token read from stdin and never prints it', async () => {
    const { ctx, inputs, out } = context('npm_secret_value\n');
    await runRegistryCommand(ctx, { kind: 'registry.set', url: 'https://r.example/', tokenStdin: true, clearToken: false });
    expect(inputs).toEqual([{ url: 'https://r.example/', token: 'npm_secret_value' }]);
    expect(out.join('')).not.toContain('npm_secret_value');
    expect(out.join('')).toContain('token:    set');
  });

  it('keeps the stored token unless told to clear it', async () => {
    const { ctx, inputs } = context('');
    await runRegistryCommand(ctx, { kind: 'registry.set', url: 'https://r.example/', tokenStdin: false, clearToken: false });
    await runRegistryCommand(ctx, { kind: 'registry.set', url: 'https://r.example/', tokenStdin: false, clearToken: true });
    expect(inputs).toEqual([{ url: 'https://r.example/' }, { url: 'https://r.example/', token: null }]);
  });
});
