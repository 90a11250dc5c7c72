import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError, wantsJson } from './args.ts';

function usageError(argv: string[]): UsageError {
  try {
    parseCliArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCliArgs', () => {
  it('parses a sub-command with its positional and option', () => {
    expect(parseCliArgs(['packages', 'add', 'zod@^3.23', '--disabled']).command).toEqual({
      kind: 'packages.add',
      spec: 'zod@^3.23',
      disabled: true,
    });
    expect(parseCliArgs(['packages', 'add', '@scope/x']).command).toEqual({ kind: 'packages.add', spec: '@scope/x', disabled: false });
  });

  it('accepts global options before or after the command', () => {
    const before = parseCliArgs(['--server', 'http://h:1', '--json', 'packages', 'list']);
    const after = parseCliArgs(['packages', 'list', '--server=http://h:1', '--json']);
    expect(before).toEqual(after);
    expect(before.global).toEqual({ server: 'http://h:1', token: undefined, dataDir: undefined, json: true });
  });

  it('reads --token and --data-dir as globals', () => {
    expect(parseCliArgs(['status', '--token', 't0k', '--data-dir', '/d']).global).toMatchObject({ token: 't0k', dataDir: '/d' });
  });

  it('parses every command kind', () => {
    expect(parseCliArgs(['packages', 'set', 'zod@^3']).command).toEqual({ kind: 'packages.set', spec: 'zod@^3' });
    expect(parseCliArgs(['packages', 'enable', 'zod']).command).toEqual({ kind: 'packages.enable', name: 'zod' });
    expect(parseCliArgs(['packages', 'disable', 'zod']).command).toEqual({ kind: 'packages.disable', name: 'zod' });
    expect(parseCliArgs(['packages', 'remove', 'zod']).command).toEqual({ kind: 'packages.remove', name: 'zod' });
    expect(parseCliArgs(['install']).command).toEqual({ kind: 'install', wait: false });
    expect(parseCliArgs(['install', '--wait']).command).toEqual({ kind: 'install', wait: true });
    expect(parseCliArgs(['status']).command).toEqual({ kind: 'status' });
    expect(parseCliArgs(['registry', 'get']).command).toEqual({ kind: 'registry.get' });
    expect(parseCliArgs(['registry', 'set', 'https://r/', '--token-stdin']).command).toEqual({
      kind: 'registry.set',
      url: 'https://r/',
      tokenStdin: true,
      clearToken: false,
    });
    expect(parseCliArgs(['run', 'check.mjs', '--timeout', '5000']).command).toEqual({ kind: 'run', file: 'check.mjs', timeoutMs: 5000 });
    expect(parseCliArgs(['run', 'check.cjs']).command).toEqual({ kind: 'run', file: 'check.cjs', timeoutMs: undefined });
  });

  it('turns help forms into a help command with the right topic', () => {
    expect(parseCliArgs(['help']).command).toEqual({ kind: 'help', topic: undefined });
    expect(parseCliArgs(['--help']).command).toEqual({ kind: 'help', topic: undefined });
    expect(parseCliArgs(['-h']).command).toEqual({ kind: 'help', topic: undefined });
    expect(parseCliArgs(['help', 'run']).command).toEqual({ kind: 'help', topic: 'run' });
    expect(parseCliArgs(['packages', '--help']).command).toEqual({ kind: 'help', topic: 'packages' });
    expect(parseCliArgs(['packages', 'add', '--help']).command).toEqual({ kind: 'help', topic: 'packages' });
  });

  it('refuses command lines it cannot act on, naming the problem', () => {
    expect(usageError([]).message).toBe('no command given');
    expect(usageError(['frobnicate']).message).toBe('unknown command "frobnicate"');
    expect(usageError(['packages']).topic).toBe('packages');
    expect(usageError(['packages', 'frob']).message).toBe('unknown sub-command "packages frob"');
    expect(usageError(['packages', 'add']).message).toBe('"spk packages add" needs <spec>');
    expect(usageError(['packages', 'add', 'a', 'b']).message).toBe('unexpected argument "b" for "spk packages add"');
    expect(usageError(['packages', 'list', '--wait']).message).toBe('"spk packages list" does not take --wait');
    expect(usageError(['status', '--bogus']).message).toMatch(/bogus/);
    expect(usageError(['status', '--server']).message).toMatch(/server/);
    expect(usageError(['help', 'nope']).message).toMatch(/no help on "nope"/);
    expect(usageError(['status', '--token', '']).message).toBe('--token is empty');
  });

  it('refuses a timeout that is not a positive whole number of milliseconds', () => {
    for (const bad of ['0', '-5', '10s', '1.5', '']) {
      expect(usageError(['run', 'a.mjs', `--timeout=${bad}`]).topic).toBe('run');
    }
  });

  it('refuses --token-stdin together with --clear-token', () => {
    expect(usageError(['registry', 'set', 'https://r/', '--token-stdin', '--clear-token']).message).toMatch(/cannot be used together/);
  });

  it('keeps the registry token out of argv: registry set has no token value option', () => {
    // --token is the spk admin token (a global); the registry's token only comes from stdin.
    const parsed = parseCliArgs(['registry', 'set', 'https://r/', '--token', 'admin']);
    expect(parsed.command).toEqual({ kind: 'registry.set', url: 'https://r/', tokenStdin: false, clearToken: false });
    expect(parsed.global.token).toBe('admin');
  });
});

describe('wantsJson', () => {
  it('sees --json even on a line that does not parse', () => {
    expect(wantsJson(['frob', '--json'])).toBe(true);
    expect(wantsJson(['frob'])).toBe(false);
  });
});
