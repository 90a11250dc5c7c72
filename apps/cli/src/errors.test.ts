import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ORPCError } from '@orpc/client';
import { parsePackageSpec, SpkError } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { UsageError } from './args.ts';
import { createSpkClient } from './client.ts';
import { CommandFailedError, describeError, type ErrorContext } from './errors.ts';
import { EXIT } from './exit-codes.ts';

const ctx: ErrorContext = { serverUrl: 'http://127.0.0.1:3000', serverSource: 'default', tokenSource: { kind: 'env', name: 'SPK_TOKEN' } };
const SECRET = 'spk_super_secret_token_value';

function refusedFetch(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), { code: 'ECONNREFUSED' }) });
}

describe('describeError', () => {
  it('maps a usage error to exit 2', () => {
    const failure = describeError(new UsageError('no command given'), null);
    expect(failure).toEqual({ exitCode: EXIT.INVALID, message: 'no command given', json: { code: 'USAGE', message: 'no command given' } });
  });

  it('maps a client-side spec refusal to exit 2 with the reason', () => {
    let error: unknown;
    try {
      parsePackageSpec('x@git+https://github.com/a/b.git');
    } catch (e) {
      error = e;
    }
    const failure = describeError(error, ctx);
    expect(failure.exitCode).toBe(EXIT.INVALID);
    expect(failure.message).toMatch(/is a git spec \(GitHub\); only registry specs are allowed/);
    expect(failure.json.code).toBe('INVALID_SPEC');
  });

  it('maps an unreachable server to exit 3, naming the URL and how to start one', () => {
    const failure = describeError(refusedFetch(), ctx);
    expect(failure.exitCode).toBe(EXIT.UNREACHABLE);
    expect(failure.message).toContain('http://127.0.0.1:3000');
    expect(failure.message).toContain('ECONNREFUSED');
    expect(failure.message).toContain('npm start');
    expect(failure.message).toContain('--server');
    expect(failure.json).toMatchObject({ code: 'UNREACHABLE', cause: 'ECONNREFUSED' });
  });

  it('maps a real refused connection through the oRPC client to exit 3', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const serverUrl = `http://127.0.0.1:${port}`;
    const error = await createSpkClient({ serverUrl, token: 't' })
      .packages.list()
      .then(() => null, (e: unknown) => e);
    const failure = describeError(error, { ...ctx, serverUrl, serverSource: '--server' });
    expect(failure.exitCode).toBe(EXIT.UNREACHABLE);
    expect(failure.message).toContain(`cannot reach the spk server at ${serverUrl} (the URL from --server)`);
  });

  it('maps a 401 to exit 4, saying where the token came from without printing it', () => {
    const error = new ORPCError('UNAUTHORIZED', { status: 401, message: `bad token ${SECRET}` });
    for (const tokenSource of [
      { kind: 'flag' } as const,
      { kind: 'env', name: 'SPK_TOKEN' } as const,
      { kind: 'file', path: '/d/admin-token' } as const,
    ]) {
      const failure = describeError(error, { ...ctx, tokenSource });
      expect(failure.exitCode).toBe(EXIT.AUTH);
      expect(failure.message).toContain('SPK_TOKEN');
      expect(JSON.stringify(failure)).not.toContain(SECRET);
    }
    expect(describeError(error, { ...ctx, tokenSource: { kind: 'flag' } }).message).toContain('given with --token');
    expect(describeError(error, { ...ctx, tokenSource: { kind: 'file', path: '/d/admin-token' } }).message).toContain('read from /d/admin-token');
  });

  it('explains a missing token as such', () => {
    const error = new ORPCError('UNAUTHORIZED', { status: 401 });
    const failure = describeError(error, { ...ctx, tokenSource: { kind: 'none', path: '/w/.data/admin-token', reason: 'does not exist' } });
    expect(failure.exitCode).toBe(EXIT.AUTH);
    expect(failure.message).toContain('/w/.data/admin-token does not exist');
  });

  it('maps a 401 that is not an oRPC body (e.g. from a proxy) to exit 4 too', () => {
    const error = new ORPCError('UNAUTHORIZED', { status: 401, data: { status: 401, headers: {}, body: 'Unauthorized' } });
    expect(describeError(error, ctx).exitCode).toBe(EXIT.AUTH);
  });

  it('maps server-side validation to exit 2 listing each issue path and message', () => {
    const error = new ORPCError('BAD_REQUEST', {
      status: 400,
      message: 'invalid input: range: bad',
      data: {
        code: 'INVALID_INPUT',
        issues: [
          { path: 'range', message: '"git+x" is a git spec' },
          { path: ['nested', { key: 'deep' }, 0], message: 'too big' },
          { message: 'whole input wrong' },
        ],
      },
    });
    const failure = describeError(error, ctx);
    expect(failure.exitCode).toBe(EXIT.INVALID);
    expect(failure.message.split('\n')).toEqual([
      'the server refused the input:',
      '  range: "git+x" is a git spec',
      '  nested.deep.0: too big',
      '  (input): whole input wrong',
    ]);
    expect(failure.json).toMatchObject({ code: 'INVALID_INPUT', status: 400, issues: [{ path: 'range' }, { path: 'nested.deep.0' }, { path: '(input)' }] });
  });

  it('maps a conflict to exit 1 with the server message and its code', () => {
    const error = new ORPCError('CONFLICT', { status: 409, message: 'package "zod" is already declared', data: { code: 'ALREADY_EXISTS', name: 'zod' } });
    const failure = describeError(error, ctx);
    expect(failure.exitCode).toBe(EXIT.FAILURE);
    expect(failure.message).toBe('package "zod" is already declared [ALREADY_EXISTS]');
    expect(failure.json).toEqual({ code: 'ALREADY_EXISTS', message: 'package "zod" is already declared', name: 'zod', status: 409 });
  });

  it('maps not found and install, migration and GC in progress to exit 1 with the server message, and INVALID_SPEC from the server to exit 2', () => {
    expect(describeError(new ORPCError('NOT_FOUND', { status: 404, message: 'x', data: { code: 'NOT_FOUND' } }), ctx).exitCode).toBe(EXIT.FAILURE);
    expect(describeError(new ORPCError('CONFLICT', { status: 409, message: 'x', data: { code: 'INSTALL_IN_PROGRESS' } }), ctx).exitCode).toBe(EXIT.FAILURE);
    expect(describeError(new ORPCError('CONFLICT', { status: 409, message: 'a storage migration runs', data: { code: 'MIGRATION_IN_PROGRESS' } }), ctx)).toMatchObject({
      exitCode: EXIT.FAILURE,
      message: 'a storage migration runs [MIGRATION_IN_PROGRESS]',
    });
    expect(describeError(new ORPCError('CONFLICT', { status: 409, message: 'a blob GC runs', data: { code: 'GC_IN_PROGRESS' } }), ctx)).toMatchObject({
      exitCode: EXIT.FAILURE,
      message: 'a blob GC runs [GC_IN_PROGRESS]',
    });
    expect(describeError(new ORPCError('BAD_REQUEST', { status: 400, message: 'x', data: { code: 'INVALID_SPEC' } }), ctx).exitCode).toBe(EXIT.INVALID);
  });

  it('maps a non-oRPC answer to exit 3: something other than an spk server is there', () => {
    const error = new ORPCError('NOT_FOUND', { status: 404, data: { status: 404, headers: {}, body: '<html>' } });
    const failure = describeError(error, ctx);
    expect(failure.exitCode).toBe(EXIT.UNREACHABLE);
    expect(failure.message).toMatch(/HTTP 404 without an oRPC response/);
    expect(describeError(new Error('Cannot parse response body, please check'), ctx).exitCode).toBe(EXIT.UNREACHABLE);
  });

  it('maps 403 to exit 4 and other server errors to exit 1', () => {
    expect(describeError(new ORPCError('FORBIDDEN', { status: 403, message: 'needs manage' }), ctx).exitCode).toBe(EXIT.AUTH);
    const internal = describeError(new ORPCError('INTERNAL_SERVER_ERROR', { status: 500, message: 'boom' }), ctx);
    expect(internal.exitCode).toBe(EXIT.FAILURE);
    expect(internal.message).toContain('HTTP 500');
  });

  it('says a token refused for lacking "read" is a satellite token and where each token goes, exit 4', () => {
    const refused = new ORPCError('FORBIDDEN', { status: 403, message: 'this token lacks the "read" permission this call needs', data: { code: 'FORBIDDEN' } });
    const failure = describeError(refused, ctx);
    expect(failure.exitCode).toBe(EXIT.AUTH);
    expect(failure.message).toBe(
      'the token from SPK_TOKEN is a satellite token: only spk-agent may use it (desired state, watch, report, blob downloads), not spk.\n' +
        'Give spk an admin or read-only token (SPK_TOKEN or --token), and give this one to spk-agent (SPK_AGENT_TOKEN).',
    );
    expect(failure.json).toEqual({ code: 'FORBIDDEN', message: failure.message, status: 403 });
    expect(describeError(refused, { ...ctx, tokenSource: { kind: 'flag' } }).message).toMatch(/^the token given with --token is a satellite token/);
  });

  it('keeps the plain 403 message, naming the permission, for a read-only token refused a change', () => {
    const refused = new ORPCError('FORBIDDEN', { status: 403, message: 'this token lacks the "manage" permission this call needs' });
    expect(describeError(refused, ctx).message).toBe('the token is valid but may not do this: this token lacks the "manage" permission this call needs');
  });

  it('uses the exit code of a failed command outcome', () => {
    const failure = describeError(new CommandFailedError('RESOLVE_FAILED', 'install failed: no such package'), ctx);
    expect(failure).toEqual({
      exitCode: EXIT.FAILURE,
      message: 'install failed: no such package [RESOLVE_FAILED]',
      json: { code: 'RESOLVE_FAILED', message: 'install failed: no such package' },
    });
  });

  it('maps client-side input errors with issues to exit 2', () => {
    const error = new SpkError('INVALID_INPUT', 'cannot run a.ts', { issues: [{ path: ['filename'], message: 'must end in .mjs' }] });
    const failure = describeError(error, ctx);
    expect(failure.exitCode).toBe(EXIT.INVALID);
    expect(failure.message).toBe('cannot run a.ts\n  filename: must end in .mjs');
  });
});
