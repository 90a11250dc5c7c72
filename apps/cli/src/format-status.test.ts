import { emptyInstallState, type InstallState } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { convergenceSummary, formatStatus } from './format-status.ts';
import { host } from './test-support/hosts.ts';

const HASH = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);
const NOW = new Date('2025-01-02T03:10:00.000Z');

function state(overrides: Partial<InstallState> = {}): InstallState {
  return { ...emptyInstallState(), lockfileHash: HASH, committedAt: '2025-01-02T03:04:05.000Z', ...overrides };
}

function entry(name: string): InstallState['manifest'][number] {
  return { name, version: '1.0.0', path: `node_modules/${name}`, integrity: `sha512-${'A'.repeat(86)}==`, size: 10, hasInstallScript: false, bin: {}, dependencies: {} };
}

describe('convergenceSummary', () => {
  it('says yes with the hash when every host runs the desired tree', () => {
    expect(convergenceSummary(HASH, [host('a', HASH), host('b', HASH), host('c', HASH)], NOW)).toBe(`yes: all 3 hosts run ${HASH.slice(0, 12)}`);
    expect(convergenceSummary(HASH, [host('a', HASH)], NOW)).toBe(`yes: the only host, a, runs ${HASH.slice(0, 12)}`);
  });

  it('counts the converged hosts and names the stale one with when it was last seen', () => {
    const hosts = [host('a', HASH), host('b', HASH), host('x', HASH, { stale: true, seenAt: '2025-01-02T03:05:00.000Z' })];
    expect(convergenceSummary(HASH, hosts, NOW)).toBe(`no: 2 of 3 hosts run ${HASH.slice(0, 12)}; stale: x (last seen 5m ago)`);
  });

  it('names hosts that are behind, what they run and whether they fail', () => {
    const hosts = [host('a', HASH), host('b', OTHER, { lastError: 'disk full' }), host('c', null)];
    expect(convergenceSummary(HASH, hosts, NOW)).toBe(`no: 1 of 3 hosts run ${HASH.slice(0, 12)}; behind: b (runs ${OTHER.slice(0, 12)}, failing), c (no tree yet)`);
  });

  it('says when nothing is installed or no host has reported', () => {
    expect(convergenceSummary(null, [], NOW)).toBe('nothing installed yet; no host has reported');
    expect(convergenceSummary(null, [host('a', null)], NOW)).toBe('nothing installed yet; 1 host reported');
    expect(convergenceSummary(HASH, [], NOW)).toBe(`no host has reported yet; the desired tree is ${HASH.slice(0, 12)}`);
  });

  it('counts satellites among the hosts: converged only when they run the desired tree, never when stale', () => {
    const sat = (id: string, hash: string | null, stale = false) => host(id, hash, { kind: 'satellite', stale });
    expect(convergenceSummary(HASH, [host('core-a', HASH), sat('probe-1', HASH), sat('probe-2', HASH)], NOW)).toBe(`yes: all 3 hosts run ${HASH.slice(0, 12)}`);
    expect(convergenceSummary(HASH, [host('core-a', HASH), sat('probe-1', OTHER), sat('probe-2', HASH, true)], NOW)).toBe(
      `no: 1 of 3 hosts run ${HASH.slice(0, 12)}; behind: probe-1 (runs ${OTHER.slice(0, 12)}); stale: probe-2 (last seen 30s ago)`,
    );
  });
});

describe('formatStatus', () => {
  it('leads with the convergence line, then the install, its size, warnings, last error and each host', () => {
    const text = formatStatus(
      state({
        manifest: [entry('a'), entry('b'), entry('c')],
        totalSize: 3 * 1024 * 1024,
        warnings: ['the set is above the warn threshold'],
        error: { code: 'REGISTRY_UNREACHABLE', message: 'registry.npmjs.org did not answer' },
      }),
      [
        host('sat-1', OTHER, { lastError: 'disk full', agent: { agentVersion: '0.2.0', hostname: 'probe1.dc2', lastPull: { blobs: 3, bytes: 1.5 * 1024 * 1024 } } }),
        host('core-a', HASH),
        host('sat-0', null, { kind: 'satellite', stale: true, seenAt: '2025-01-02T01:10:00.000Z' }),
      ],
      NOW,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe(`converged:   no: 1 of 3 hosts run ${HASH.slice(0, 12)}; behind: sat-1 (runs ${OTHER.slice(0, 12)}, failing); stale: sat-0 (last seen 2h ago)`);
    expect(lines).toContain('install:     idle');
    expect(lines).toContain(`lockfile:    ${HASH}`);
    expect(lines).toContain('packages:    3 (3.0 MiB)');
    expect(lines).toContain('last error:  REGISTRY_UNREACHABLE: registry.npmjs.org did not answer');
    expect(lines).toContain('  - the set is above the warn threshold');
    const hostLines = lines.slice(lines.indexOf('hosts:       3 (1 core instance, 2 satellites)') + 1);
    expect(hostLines[0]).toMatch(/^HOST\s+KIND\s+LOCKFILE\s+STATE\s+CONVERGED\s+LAST SEEN\s+AGENT\s+HOSTNAME\s+LAST PULL\s+ERROR$/);
    expect(hostLines[1]).toMatch(new RegExp(`^core-a\\s+core\\s+${HASH.slice(0, 12)}\\s+converged\\s+5m ago\\s+30s ago\\s+-\\s+-\\s+-\\s+-$`));
    expect(hostLines[2]).toMatch(/^sat-0\s+satellite\s+-\s+stale\s+-\s+2h ago\s+0\.1\.0\s+sat-0\.example\s+-\s+-$/);
    expect(hostLines[3]).toMatch(new RegExp(`^sat-1\\s+satellite\\s+${OTHER.slice(0, 12)}\\s+lagging\\s+5m ago\\s+30s ago\\s+0\\.2\\.0\\s+probe1\\.dc2\\s+3 blobs, 1\\.5 MiB\\s+disk full$`));
    expect(hostLines).toHaveLength(4);
  });

  it('shows live progress while installing and says when nothing is installed or reported', () => {
    const text = formatStatus(state({ status: 'installing', lockfileHash: null, progress: { phase: 'fetching', done: 1, total: 4 } }), [], NOW);
    expect(text).toContain('install:     installing (fetching 1/4)');
    expect(text).toContain('lockfile:    none (nothing installed yet)');
    expect(text).toContain('converged:   nothing installed yet; no host has reported');
    expect(text).toContain('hosts:       none reported');
  });
});
