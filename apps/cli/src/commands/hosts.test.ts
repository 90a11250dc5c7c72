import { emptyInstallState } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { host } from '../test-support/hosts.ts';
import { formatHosts, runHostsCommand } from './hosts.ts';

const HASH = 'ab'.repeat(32);
const NOW = new Date('2025-01-02T03:10:00.000Z');

function context(desired: string | null, hosts: ReturnType<typeof host>[], json = false) {
  const state = recordingProcedure(() => ({ ...emptyInstallState(), lockfileHash: desired }));
  const status = recordingProcedure(() => ({ hosts }));
  return commandContext({ install: { state }, hosts: { status } }, { json });
}

describe('runHostsCommand', () => {
  it('heads the table with the desired tree and how many core instances and satellites there are', async () => {
    const { ctx, out } = context(HASH, [host('core-a', HASH), host('probe-1', HASH, { agent: { hostname: 'p1.dc2' } })]);
    await runHostsCommand(ctx, () => NOW);
    const lines = out.join('').split('\n');
    expect(lines[0]).toBe(`desired tree: ${HASH.slice(0, 12)}; hosts: 2 (1 core instance, 1 satellite)`);
    expect(lines[3]).toMatch(/^probe-1\s+satellite\s+\S+\s+converged\s.*p1\.dc2/);
  });

  it('prints the desired hash beside the raw hosts for --json', async () => {
    const hosts = [host('probe-1', null, { stale: true, agent: {} })];
    const { ctx, out } = context(HASH, hosts, true);
    await runHostsCommand(ctx, () => NOW);
    expect(JSON.parse(out.join(''))).toEqual({ desired: HASH, hosts });
  });
});

describe('formatHosts', () => {
  it('says how a host comes to report when none has', () => {
    expect(formatHosts(null, [], NOW)).toBe(
      'desired tree: none (nothing installed yet)\nno host has reported yet (core instances report once they start; satellites once spk-agent runs with their token)',
    );
  });
});
