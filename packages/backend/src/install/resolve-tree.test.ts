import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTree, toResolveError, type TypesStep } from './resolve-tree.ts';

const options = { registry: 'http://u:hunter2@registry.test/', timeout: 60_000 };

describe('toResolveError', () => {
  it.each([
    ['minipass-fetch request timer', { code: 'FETCH_ERROR', type: 'request-timeout' }],
    ['minipass-fetch body timer', { code: 'FETCH_ERROR', type: 'body-timeout' }],
    ['npm agent idle socket', { code: 'EIDLETIMEOUT' }],
    ['OS connect timeout', { code: 'ETIMEDOUT' }],
    ['node socket timeout', { code: 'ERR_SOCKET_TIMEOUT' }],
  ])('says "timed out" for a cut-off request (%s), naming the limit', (_, error) => {
    const mapped = toResolveError({ ...error, message: 'network timeout at: http://u:hunter2@registry.test/x', pkgid: 'x@1.0.0' }, options);
    expect(mapped.code).toBe('REGISTRY_UNREACHABLE');
    expect(mapped.message).toContain('timed out');
    expect(mapped.message).toContain('within 60 s');
    expect(mapped.message).toContain('x@1.0.0');
  });

  it('never puts URL credentials into a message, whether from the settings or from npm', () => {
    const messages = [
      toResolveError({ code: 'E404', pkgid: 'x' }, options).message,
      toResolveError({ code: 'ECONNREFUSED' }, options).message,
      toResolveError({ code: 'EWHATEVER', message: 'GET http://u:hunter2@registry.test/x failed' }, options).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain('hunter2');
      expect(message).toContain('http://***@registry.test/');
    }
  });

  it('names the package, the range, the newest versions and the dist-tags when no version matches (ETARGET)', () => {
    // The fields npm-pick-manifest puts on its ETARGET error (it sets no pkgid).
    const etarget = {
      code: 'ETARGET',
      message: 'No matching version found for left-pad@^9.',
      name: 'left-pad',
      wanted: '^9',
      versions: ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '0.0.9', '1.1.3', '2.0.0-beta.1'],
      distTags: { next: '2.0.0-beta.1', latest: '1.3.0' },
    };
    const declared = toResolveError(etarget, options, [{ name: 'left-pad' }]);
    expect(declared.code).toBe('NO_MATCHING_VERSION');
    expect(declared.message).toBe(
      'no version of left-pad matches "^9" in the registry http://***@registry.test/ (newest versions: 2.0.0-beta.1, 1.3.0, 1.2.0, 1.1.3, 1.1.0 (and 2 older); dist-tags: latest=1.3.0, next=2.0.0-beta.1); change its declared range with "spk packages set left-pad@^1.3.0"',
    );
    const transitive = toResolveError(etarget, options, [{ name: 'uses-left-pad' }]);
    expect(transitive.message).toContain('left-pad is a dependency of a declared package: change that package\'s range');
  });
});

describe('resolveTree with a types step that throws', () => {
  let scratchDir: string;
  beforeEach(async () => {
    scratchDir = await mkdtemp(path.join(tmpdir(), 'spk-resolve-'));
  });
  afterEach(() => rm(scratchDir, { recursive: true, force: true }));

  /** A types step whose planning throws what `fail` gives; records what it was told. */
  function failingStep(fail: () => Error) {
    const failed: unknown[] = [];
    const step: TypesStep = {
      beforeResolve: async () => {
        throw fail();
      },
      plan: async () => {
        throw fail();
      },
      planFailed: (error) => failed.push(error),
      rebuildFailed: () => failed.push('rebuild'),
    };
    return { step, failed };
  }

  // The empty declared set resolves without a registry: the step is all this exercises.
  it('resolves without additions, in one pass, and reports each failure instead of failing the install', async () => {
    const overflow = new RangeError('Maximum call stack size exceeded');
    const { step, failed } = failingStep(() => overflow);
    const result = await resolveTree({ packages: [], scratchDir, npmOptions: { registry: 'http://127.0.0.1:9/' }, types: step });
    expect(result).toEqual({ nodes: [], passes: 1 });
    expect(failed).toEqual([overflow, overflow]);
  });

  it('rethrows when the install is being stopped', async () => {
    const controller = new AbortController();
    const { step, failed } = failingStep(() => {
      controller.abort(new Error('lease lost'));
      return new Error('socket closed');
    });
    const input = { packages: [], scratchDir, npmOptions: { registry: 'http://127.0.0.1:9/', signal: controller.signal }, types: step };
    await expect(resolveTree(input)).rejects.toThrow('lease lost');
    expect(failed).toEqual([]);
  });
});
