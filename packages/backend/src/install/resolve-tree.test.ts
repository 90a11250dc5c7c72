import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registrySettingsSchema } from '@spk/common';
import { resolveTree, type TypesStep } from './resolve-tree.ts';

const registries = { settings: registrySettingsSchema.parse({ registry: 'http://127.0.0.1:9/' }), timeoutMs: 1000 };

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
    const result = await resolveTree({ packages: [], scratchDir, npmOptions: { registry: 'http://127.0.0.1:9/' }, registries, types: step });
    expect(result).toEqual({ nodes: [], passes: 1 });
    expect(failed).toEqual([overflow, overflow]);
  });

  it('rethrows when the install is being stopped', async () => {
    const controller = new AbortController();
    const { step, failed } = failingStep(() => {
      controller.abort(new Error('lease lost'));
      return new Error('socket closed');
    });
    const input = { packages: [], scratchDir, npmOptions: { registry: 'http://127.0.0.1:9/', signal: controller.signal }, registries, types: step };
    await expect(resolveTree(input)).rejects.toThrow('lease lost');
    expect(failed).toEqual([]);
  });
});
