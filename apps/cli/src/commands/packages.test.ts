import { isSpkError } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { commandContext } from '../test-support/command-context.ts';
import { parseRangeChange, runPackagesCommand } from './packages.ts';

const AT = '2025-01-01T00:00:00.000Z';

function recordingContext(json = false) {
  const calls: Array<{ procedure: string; input: unknown }> = [];
  const echo = (procedure: string) => async (input: { name: string; range?: string; enabled?: boolean }) => {
    calls.push({ procedure, input });
    const pkg = { name: input.name, range: input.range ?? '^1', enabled: input.enabled ?? true, createdAt: AT, updatedAt: AT };
    return procedure === 'remove' ? { removed: pkg } : pkg;
  };
  const client = {
    packages: {
      list: async () => {
        calls.push({ procedure: 'list', input: undefined });
        return { packages: [] };
      },
      add: echo('add'),
      update: echo('update'),
      remove: echo('remove'),
    },
  };
  const { ctx, out } = commandContext(client, { json });
  return { ctx, calls, out };
}

describe('runPackagesCommand', () => {
  it('sends the parsed name and range of a spec, enabled unless --disabled', async () => {
    const { ctx, calls } = recordingContext();
    await runPackagesCommand(ctx, { kind: 'packages.add', spec: 'zod@^3.23', disabled: false });
    await runPackagesCommand(ctx, { kind: 'packages.add', spec: '@scope/x', disabled: true });
    expect(calls).toEqual([
      { procedure: 'add', input: { name: 'zod', range: '^3.23', enabled: true } },
      { procedure: 'add', input: { name: '@scope/x', range: 'latest', enabled: false } },
    ]);
  });

  it.each(['x@git+https://github.com/a/b.git', 'x@github:a/b', 'x@file:../x', 'x@https://h/x.tgz', 'x@npm:y@1'])(
    'refuses %s before any request, saying why',
    async (spec) => {
      const { ctx, calls } = recordingContext();
      const error = await runPackagesCommand(ctx, { kind: 'packages.add', spec, disabled: false }).catch((e: unknown) => e);
      expect(isSpkError(error, 'INVALID_SPEC')).toBe(true);
      expect((error as Error).message).toMatch(/only registry specs are allowed/);
      expect(calls).toEqual([]);
    },
  );

  it('maps enable, disable, set and remove onto update/remove', async () => {
    const { ctx, calls } = recordingContext();
    await runPackagesCommand(ctx, { kind: 'packages.enable', name: 'zod' });
    await runPackagesCommand(ctx, { kind: 'packages.disable', name: '@s/x' });
    await runPackagesCommand(ctx, { kind: 'packages.set', spec: 'zod@~3.24.1' });
    await runPackagesCommand(ctx, { kind: 'packages.remove', name: 'zod' });
    expect(calls).toEqual([
      { procedure: 'update', input: { name: 'zod', enabled: true } },
      { procedure: 'update', input: { name: '@s/x', enabled: false } },
      { procedure: 'update', input: { name: 'zod', range: '~3.24.1' } },
      { procedure: 'remove', input: { name: 'zod' } },
    ]);
  });

  it('refuses an invalid package name before any request', async () => {
    const { ctx, calls } = recordingContext();
    const error = await runPackagesCommand(ctx, { kind: 'packages.remove', name: 'Not Valid' }).catch((e: unknown) => e);
    expect(isSpkError(error, 'INVALID_SPEC')).toBe(true);
    expect(calls).toEqual([]);
  });

  it('prints the warnings of a declaration the registry could not check on stderr, and keeps them in --json', async () => {
    const warning = 'x@^1 was declared without checking the registry http://r/: it could not be reached (ECONNREFUSED); the install will fail if the name or range is wrong';
    const answer = { name: 'x', range: '^1', enabled: true, createdAt: AT, updatedAt: AT, warnings: [warning] };
    const client = { packages: { add: async () => answer, update: async () => answer } };
    const text = commandContext(client);
    await runPackagesCommand(text.ctx, { kind: 'packages.add', spec: 'x@^1', disabled: false });
    await runPackagesCommand(text.ctx, { kind: 'packages.set', spec: 'x@^1' });
    expect(text.err).toEqual([`warning: ${warning}\n`, `warning: ${warning}\n`]);
    expect(text.out).toEqual(['added x@^1 (enabled); run `spk install` to install it\n', 'updated x@^1 (enabled); run `spk install` to apply it\n']);

    const json = commandContext(client, { json: true });
    await runPackagesCommand(json.ctx, { kind: 'packages.add', spec: 'x@^1', disabled: false });
    expect(json.err).toEqual([]);
    expect(JSON.parse(json.out.join(''))).toMatchObject({ warnings: [warning] });
  });

  it('prints the raw output under --json', async () => {
    const { ctx, out } = recordingContext(true);
    await runPackagesCommand(ctx, { kind: 'packages.add', spec: 'zod@1.0.0', disabled: false });
    expect(JSON.parse(out.join(''))).toEqual({ name: 'zod', range: '1.0.0', enabled: true, createdAt: AT, updatedAt: AT });
  });
});

describe('parseRangeChange', () => {
  it('requires an explicit range so `set` never silently means latest', () => {
    expect(parseRangeChange('zod@^3')).toEqual({ name: 'zod', range: '^3' });
    expect(parseRangeChange('@s/x@next')).toEqual({ name: '@s/x', range: 'next' });
    expect(() => parseRangeChange('zod')).toThrow(/has no range/);
    expect(() => parseRangeChange('@s/x')).toThrow(/has no range/);
    expect(() => parseRangeChange('./local-dir')).toThrow('"./local-dir" is a local directory (file:) spec; only registry specs are allowed');
  });
});
