import { ORPCError } from '@orpc/client';
import { emptyInstallState, type HostStatus, type RollbackResult, type WaitConvergedInput, type WaitConvergedResult } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../args.ts';
import { describeError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { host } from '../test-support/hosts.ts';
import { CONVERGE_CALL_MS } from './convergence.ts';
import { runRollbackCommand } from './rollback.ts';

const OLD = 'cd'.repeat(32);
const NEW = 'ab'.repeat(32);

const result: RollbackResult = {
  lockfileHash: OLD,
  previousHash: NEW,
  declared: [
    { name: 'zod', range: '^3.22', enabled: true },
    { name: 'left-pad', range: '1', enabled: false },
  ],
  warnings: ['left-pad is deprecated'],
  state: { ...emptyInstallState(), lockfileHash: OLD, totalSize: 3072 },
};

/** hosts.status answers the given host lists in turn (the last one from then on). */
function context(hostLists: HostStatus[][], options: { json?: boolean; converge?: (input: WaitConvergedInput) => Promise<WaitConvergedResult> } = {}) {
  let polls = 0;
  const rollback = recordingProcedure(() => result);
  const waitConverged = recordingProcedure(options.converge ?? (async ({ lockfileHash }: WaitConvergedInput) => ({ hostId: 'core-1', lockfileHash, waitedMs: 10 })));
  const status = async () => ({ hosts: hostLists[Math.min(polls++, hostLists.length - 1)]! });
  const { ctx, io } = commandContext({ install: { rollback }, hosts: { waitConverged, status } }, { json: options.json ?? false });
  return { ctx, io, rollback, waitConverged, polls: () => polls };
}

describe('spk rollback parsing', () => {
  it('takes a hash or prefix, --wait, and --timeout in seconds only with --wait', () => {
    expect(parseCliArgs(['rollback', 'cdcdcdcd']).command).toEqual({ kind: 'rollback', hash: 'cdcdcdcd', wait: false, timeoutMs: undefined });
    expect(parseCliArgs(['rollback', OLD, '--wait', '--timeout', '2m']).command).toEqual({ kind: 'rollback', hash: OLD, wait: true, timeoutMs: 120_000 });
    expect(() => parseCliArgs(['rollback', OLD, '--timeout', '10'])).toThrow('--timeout applies to --wait; add --wait');
    expect(() => parseCliArgs(['rollback', 'HEAD~1'])).toThrow(/"spk rollback" takes a lockfile hash or a unique prefix of at least 7 hex digits/);
    expect(() => parseCliArgs(['rollback'])).toThrow('"spk rollback" needs <hash>');
  });
});

describe('runRollbackCommand', () => {
  it('sends the hash as given and prints what became desired, the declared set restored and the warnings', async () => {
    const { ctx, io, rollback, polls } = context([]);
    await runRollbackCommand(ctx, { kind: 'rollback', hash: 'cdcdcdc', wait: false });
    expect(rollback.inputs).toEqual([{ lockfileHash: 'cdcdcdc' }]);
    expect(polls()).toBe(0);
    expect(io.err).toEqual(['warning: left-pad is deprecated\n']);
    expect(io.out.join('')).toBe(
      `desired state is now ${OLD} (was ${NEW.slice(0, 12)}): 0 packages, 3.0 KiB\n` +
        'declared packages restored (2):\n  zod@^3.22\n  left-pad@1 (disabled)\n' +
        'every host converges on it shortly: follow them with `spk hosts`\n',
    );
  });

  it('says the declared packages were kept when the entry recorded none', async () => {
    const { ctx, io } = commandContext({ install: { rollback: async () => ({ ...result, declared: null, warnings: [] }) } });
    await runRollbackCommand(ctx, { kind: 'rollback', hash: OLD, wait: false });
    expect(io.out[0]).toContain('that history entry has no declared set recorded: the declared packages were left as they were');
  });

  it('with --wait, waits for the answering server and then for every host that is not stale, skipping stale ones', async () => {
    const { ctx, io, waitConverged, polls } = context([
      [host('core-1', OLD), host('probe-1', NEW, { agent: {} }), host('gone', NEW, { stale: true })],
      [host('core-1', OLD), host('probe-1', OLD, { agent: {} }), host('gone', NEW, { stale: true })],
    ]);
    await runRollbackCommand(ctx, { kind: 'rollback', hash: OLD, wait: true, timeoutMs: 60_000 });
    expect(waitConverged.inputs).toEqual([{ lockfileHash: OLD, timeoutMs: CONVERGE_CALL_MS }]);
    expect(polls()).toBe(2);
    expect(io.out.slice(-2)).toEqual([
      expect.stringMatching(new RegExp(`^host core-1 runs ${OLD} \\(converged in \\d+(\\.\\d)? s\\)\\n$`)),
      `all 2 live hosts run ${OLD.slice(0, 12)}; not waited for (stale): gone\n`,
    ]);
  });

  it('fails NOT_CONVERGED at --timeout naming each host behind, what it runs and its last error', async () => {
    const { ctx } = context([[host('core-1', OLD), host('probe-1', NEW, { agent: {}, lastError: 'blob missing\n  at x' })]]);
    const error = await runRollbackCommand(ctx, { kind: 'rollback', hash: OLD, wait: true, timeoutMs: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NOT_CONVERGED',
      message:
        `the rollback made ${OLD} the desired state, but after 0 s 1 of 2 hosts do not run it: probe-1 (runs ${NEW.slice(0, 12)}, last error: blob missing). ` +
        "Check `spk hosts` and those hosts' logs; wait longer with --timeout <seconds>.",
    });
    expect(describeError(error, null).exitCode).toBe(EXIT.FAILURE);
  });

  it('fails naming the answering server when it does not converge, with the rollback as the cause', async () => {
    const notConverged = new ORPCError('SERVICE_UNAVAILABLE', { status: 503, message: 'not yet', data: { code: 'NOT_CONVERGED', hostId: 'core-1', currentHash: NEW, lastError: null } });
    const { ctx } = context([], { converge: async () => Promise.reject(notConverged) });
    const error = await runRollbackCommand(ctx, { kind: 'rollback', hash: OLD, wait: true, timeoutMs: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_CONVERGED', message: expect.stringMatching(new RegExp(`^the rollback made ${OLD} the desired state, but host core-1 still runs ${NEW} after`)) });
  });

  it('prints only JSON under --json: the result with the converged host and the hosts', async () => {
    const hosts = [host('core-1', OLD)];
    const { ctx, io } = context([hosts], { json: true });
    await runRollbackCommand(ctx, { kind: 'rollback', hash: OLD, wait: true });
    expect(io.err).toEqual([]);
    expect(JSON.parse(io.out.join(''))).toEqual({ ...result, host: { hostId: 'core-1', lockfileHash: OLD, waitedMs: expect.any(Number) }, hosts });
  });

  it('passes a refusal while a migration or GC runs through as the API words it, exit 1', async () => {
    for (const code of ['MIGRATION_IN_PROGRESS', 'GC_IN_PROGRESS']) {
      const message = `a ${code === 'GC_IN_PROGRESS' ? 'blob GC' : 'storage migration'} is running; try again once it is done`;
      const refused = new ORPCError('CONFLICT', { status: 409, message, data: { code } });
      const { ctx } = commandContext({ install: { rollback: async () => Promise.reject(refused) } });
      const error = await runRollbackCommand(ctx, { kind: 'rollback', hash: OLD, wait: true }).catch((e: unknown) => e);
      expect(describeError(error, null)).toMatchObject({ exitCode: EXIT.FAILURE, message: `${message} [${code}]`, json: { code, message, status: 409 } });
    }
  });
});
