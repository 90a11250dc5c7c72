import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODE_TABLE } from './exit-codes.ts';
import { main } from './main.ts';
import { captureIo } from './test-support/command-context.ts';

async function runMain(argv: string[]) {
  const tokenReads: string[] = [];
  const io = captureIo();
  const code = await main({
    argv,
    env: {},
    cwd: '/nowhere',
    io,
    readTokenFile: async (p) => {
      tokenReads.push(p);
      return null;
    },
  });
  return { code, stdout: io.out.join(''), stderr: io.err.join(''), tokenReads };
}

describe('main', () => {
  it('prints help on stdout with the exit-code table and exits 0', async () => {
    const { code, stdout, stderr } = await runMain(['--help']);
    expect(code).toBe(EXIT.OK);
    expect(stderr).toBe('');
    expect(stdout).toContain('spk packages add <spec>');
    for (const row of EXIT_CODE_TABLE) expect(stdout).toContain(`  ${row.code}  ${row.name.toLowerCase()}: ${row.meaning}`);
  });

  it("answers a usage error with exit 2, the problem, the command's usage line and where its help is", async () => {
    const { code, stdout, stderr } = await runMain(['packages', 'add']);
    expect(code).toBe(EXIT.INVALID);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'spk: "spk packages add" needs <spec>\nUsage: spk packages add <spec> [--disabled]\nRun `spk packages add --help` for its options and examples.\n',
    );
  });

  it('prints the version of the CLI package and reads no token', async () => {
    const { code, stdout, tokenReads } = await runMain(['--version']);
    expect(code).toBe(EXIT.OK);
    expect(stdout).toBe(`spk ${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
    expect(tokenReads).toEqual([]);
  });

  it('suggests the command meant by a typo', async () => {
    const { code, stderr } = await runMain(['instal', '--wait']);
    expect(code).toBe(EXIT.INVALID);
    expect(stderr).toBe('spk: unknown command "instal"; did you mean "install"?\nRun `spk --help` for the commands and options.\n');
  });

  it('reports errors as JSON on stderr under --json', async () => {
    const { code, stderr } = await runMain(['frob', '--json']);
    expect(code).toBe(EXIT.INVALID);
    expect(JSON.parse(stderr)).toEqual({ error: { code: 'USAGE', message: 'unknown command "frob"' } });
  });

  it('refuses a bad --server as a usage error before any request', async () => {
    const { code, stderr } = await runMain(['status', '--server', 'localhost:3000']);
    expect(code).toBe(EXIT.INVALID);
    expect(stderr).toContain('--server must be an http(s) URL');
  });
});

describe('EXIT_CODE_TABLE', () => {
  it('gives every outcome its own code', () => {
    const codes = EXIT_CODE_TABLE.map((row) => row.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.sort()).toEqual(Object.values(EXIT).sort());
  });
});
