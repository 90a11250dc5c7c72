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
    expect(parseCliArgs(['registry', 'import-npmrc', '-']).command).toEqual({ kind: 'registry.importNpmrc', file: '-' });
    expect(parseCliArgs(['registry', 'import-npmrc', '.npmrc']).command).toEqual({ kind: 'registry.importNpmrc', file: '.npmrc' });
    expect(parseCliArgs(['registry', 'rotate-key']).command).toEqual({ kind: 'registry.rotateKey' });
    expect(parseCliArgs(['run', 'check.mjs', '--timeout', '5000']).command).toEqual({ kind: 'run', file: 'check.mjs', timeoutMs: 5000 });
    expect(parseCliArgs(['run', 'check.cjs']).command).toEqual({ kind: 'run', file: 'check.cjs', timeoutMs: undefined });
    expect(parseCliArgs(['caps', 'get']).command).toEqual({ kind: 'caps.get' });
    expect(parseCliArgs(['hosts', '--json']).command).toEqual({ kind: 'hosts' });
    expect(parseCliArgs(['satellites', 'create', 'dc2-probe']).command).toEqual({ kind: 'satellites.create', name: 'dc2-probe' });
    expect(parseCliArgs(['satellites', 'list']).command).toEqual({ kind: 'satellites.list' });
    expect(parseCliArgs(['satellites', 'revoke', 'dc2-probe']).command).toEqual({ kind: 'satellites.revoke', name: 'dc2-probe' });
    expect(parseCliArgs(['--version']).command).toEqual({ kind: 'version' });
    expect(parseCliArgs(['status', '--version']).command).toEqual({ kind: 'version' });
  });

  it('reads human sizes for caps set and leaves the caps not given undefined', () => {
    expect(parseCliArgs(['caps', 'set', '--warn-total', '150MiB', '--block-total=1.5 GiB']).command).toEqual({
      kind: 'caps.set',
      warnTotalBytes: 150 * 1024 ** 2,
      blockTotalBytes: 1.5 * 1024 ** 3,
      maxPackageBytes: undefined,
    });
    expect(parseCliArgs(['caps', 'set', '--max-package', '500MB']).command).toMatchObject({ maxPackageBytes: 500_000_000 });
    expect(usageError(['caps', 'set']).message).toBe('"spk caps set" needs at least one of --warn-total, --block-total, --max-package');
    expect(usageError(['caps', 'set', '--warn-total', '150 parsecs']).message).toBe(
      '--warn-total takes a size such as 150MiB, 1.5GiB, 500MB or a number of bytes, got "150 parsecs"',
    );
  });

  it('turns help forms into a help command with the right topic', () => {
    expect(parseCliArgs(['help']).command).toEqual({ kind: 'help', topic: undefined });
    expect(parseCliArgs(['--help']).command).toEqual({ kind: 'help', topic: undefined });
    expect(parseCliArgs(['-h']).command).toEqual({ kind: 'help', topic: undefined });
    expect(parseCliArgs(['help', 'run']).command).toEqual({ kind: 'help', topic: 'run' });
    expect(parseCliArgs(['packages', '--help']).command).toEqual({ kind: 'help', topic: 'packages' });
    expect(parseCliArgs(['packages', 'add', '--help']).command).toEqual({ kind: 'help', topic: 'packages add' });
    expect(parseCliArgs(['run', '--help']).command).toEqual({ kind: 'help', topic: 'run' });
    expect(parseCliArgs(['help', 'packages', 'add']).command).toEqual({ kind: 'help', topic: 'packages add' });
    expect(parseCliArgs(['help', 'caps']).command).toEqual({ kind: 'help', topic: 'caps' });
  });

  it('refuses command lines it cannot act on, naming the problem', () => {
    expect(usageError([]).message).toBe('no command given');
    expect(usageError(['frobnicate']).message).toBe('unknown command "frobnicate"');
    expect(usageError(['packages']).topic).toBe('packages');
    expect(usageError(['packages', 'frob']).message).toBe('unknown sub-command "packages frob"');
    expect(usageError(['packages', 'add']).topic).toBe('packages add');
    expect(usageError(['packages', 'add']).message).toBe('"spk packages add" needs <spec>');
    expect(usageError(['packages', 'add', 'a', 'b']).message).toBe('unexpected argument "b" for "spk packages add"');
    expect(usageError(['status', '--bogus']).message).toMatch(/bogus/);
    expect(usageError(['status', '--server']).message).toMatch(/server/);
    expect(usageError(['help', 'nope']).message).toMatch(/^no help on "nope"; topics: packages, install, status, hosts, history, rollback, registry, .*\bcaps\b.*\brun\b.*\bgc$/);
    expect(usageError(['status', '--token', '']).message).toBe('--token is empty');
  });

  it('refuses a timeout that is not a positive whole number of milliseconds', () => {
    for (const bad of ['0', '-5', '10s', '1.5', '']) {
      expect(usageError(['run', 'a.mjs', `--timeout=${bad}`]).topic).toBe('run');
    }
  });

  it('names the missing satellite name, and refuses options satellites commands do not take', () => {
    const missing = usageError(['satellites', 'create']);
    expect(missing.message).toBe('"spk satellites create" needs <name>');
    expect(missing.topic).toBe('satellites create');
    expect(usageError(['satellites', 'create', 'a', 'b']).message).toBe('unexpected argument "b" for "spk satellites create"');
    expect(usageError(['satellites', 'create', 'probe', '--read-only']).message).toBe('"spk satellites create" does not take --read-only (spk tokens create does)');
    expect(usageError(['satellites']).message).toBe('"satellites" needs a sub-command');
  });

  it('refuses --token-stdin together with --clear-token', () => {
    expect(usageError(['registry', 'set', 'https://r/', '--token-stdin', '--clear-token']).message).toMatch(/cannot be used together/);
  });

  it('answers registry set --token with how to pass the registry token on stdin, instead of using it as the admin token', () => {
    const error = usageError(['registry', 'set', 'https://r/', '--token', 'npm_abc']);
    expect(error.message).toBe(
      '"spk registry set" does not take --token: the registry token is read from stdin only, so it stays out of the process list and shell history: ' +
        'printf %s "$NPM_TOKEN" | spk registry set <url> --token-stdin. (--token is the spk admin token; set SPK_TOKEN for that.)',
    );
    expect(error.topic).toBe('registry set');
    expect(error.message).not.toContain('npm_abc');
  });
});

describe('did you mean', () => {
  it('suggests the closest command, sub-command or help topic', () => {
    expect(usageError(['instal']).message).toBe('unknown command "instal"; did you mean "install"?');
    expect(usageError(['stauts']).message).toBe('unknown command "stauts"; did you mean "status"?');
    expect(usageError(['pakages', 'list']).message).toBe('unknown command "pakages"; did you mean "packages"?');
    expect(usageError(['packages', 'lst']).message).toBe('unknown sub-command "packages lst"; did you mean "packages list"?');
    expect(usageError(['help', 'regsitry']).message).toMatch(/^no help on "regsitry"; did you mean "registry"\?/);
    expect(usageError(['satelites', 'list']).message).toBe('unknown command "satelites"; did you mean "satellites"?');
    expect(usageError(['satellites', 'revok', 'x']).message).toBe('unknown sub-command "satellites revok"; did you mean "satellites revoke"?');
    expect(usageError(['host']).message).toBe('unknown command "host"; did you mean "hosts"?');
  });

  it('suggests the closest option of the command, and names the commands that take a misplaced one', () => {
    const typo = usageError(['install', '--wiat']);
    expect(typo.message).toBe('unknown option --wiat for "spk install"; did you mean --wait?');
    expect(typo.topic).toBe('install');
    expect(usageError(['--jsno', 'status']).message).toBe('unknown option --jsno for "spk status"; did you mean --json?');
    expect(usageError(['fsck', '--repiar']).message).toBe('unknown option --repiar for "spk fsck"; did you mean --repair?');
    expect(usageError(['packages', 'list', '--wait']).message).toBe('"spk packages list" does not take --wait (spk install, spk rollback, spk storage migrate does)');
    expect(usageError(['status', '--bogus']).message).toBe('unknown option --bogus for "spk status"');
  });
});

describe('wantsJson', () => {
  it('sees --json even on a line that does not parse', () => {
    expect(wantsJson(['frob', '--json'])).toBe(true);
    expect(wantsJson(['frob'])).toBe(false);
  });
});
