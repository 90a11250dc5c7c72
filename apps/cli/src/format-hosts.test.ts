import { describe, expect, it } from 'vitest';
import { formatAge, formatHostTable, formatPull, formatTrees, hostState } from './format-hosts.ts';
import { host } from './test-support/hosts.ts';

const HASH = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);
const NOW = new Date('2025-01-02T03:10:00.000Z');

describe('formatAge', () => {
  it('rounds down to the largest whole unit', () => {
    expect(formatAge(-5)).toBe('0s');
    expect(formatAge(45_000)).toBe('45s');
    expect(formatAge(5 * 60_000 + 59_000)).toBe('5m');
    expect(formatAge(3 * 3600_000)).toBe('3h');
    expect(formatAge(3 * 86400_000)).toBe('3d');
  });
});

describe('hostState', () => {
  it('is converged on the desired tree, lagging on another or none, and stale whatever it last ran', () => {
    expect(hostState(host('a', HASH), HASH)).toBe('converged');
    expect(hostState(host('a', OTHER), HASH)).toBe('lagging');
    expect(hostState(host('a', null), HASH)).toBe('lagging');
    expect(hostState(host('a', HASH, { stale: true }), HASH)).toBe('stale');
    expect(hostState(host('a', null), null)).toBe('converged');
  });
});

describe('formatPull', () => {
  it('counts blobs and sizes bytes with the CLI size formatter', () => {
    expect(formatPull({ blobs: 1, bytes: 2048 })).toBe('1 blob, 2.0 KiB');
    expect(formatPull({ blobs: 12, bytes: 3 * 1024 * 1024 })).toBe('12 blobs, 3.0 MiB');
    expect(formatPull({ blobs: 0, bytes: 0 })).toBe('nothing');
    expect(formatPull(null)).toBe('-');
  });
});

describe('formatHostTable', () => {
  it('lists core instances before satellites, with the agent version, hostname and last pull of each satellite', () => {
    const lines = formatHostTable(
      [host('probe-b', OTHER, { agent: { agentVersion: '0.3.1', hostname: 'b.dc2', lastPull: { blobs: 2, bytes: 4096 } } }), host('core-a', HASH), host('probe-a', HASH, { agent: {} })],
      HASH,
      NOW,
    ).split('\n');
    expect(lines[0]).toMatch(/^HOST\s+KIND\s+LOCKFILE\s+STATE\s+CONVERGED\s+LAST SEEN\s+AGENT\s+HOSTNAME\s+LAST PULL\s+ERROR$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['core-a', 'core', HASH.slice(0, 12), 'converged', '5m ago', '30s ago', '-', '-', '-', '-'],
      ['probe-a', 'satellite', HASH.slice(0, 12), 'converged', '5m ago', '30s ago', '0.1.0', 'probe-a.example', '-', '-'],
      ['probe-b', 'satellite', OTHER.slice(0, 12), 'lagging', '5m ago', '30s ago', '0.3.1', 'b.dc2', '2 blobs, 4.0 KiB', '-'],
    ]);
  });

  it('leaves the agent columns out when no host is a satellite, and shows only the first line of an error', () => {
    const lines = formatHostTable([host('core-a', null, { lastError: 'EACCES: permission denied\n    at open (node:fs)' })], HASH, NOW).split('\n');
    expect(lines[0]).toMatch(/^HOST\s+KIND\s+LOCKFILE\s+STATE\s+CONVERGED\s+LAST SEEN\s+ERROR$/);
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['core-a', 'core', '-', 'lagging', '-', '30s ago', 'EACCES: permission denied']);
    expect(lines).toHaveLength(2);
  });

  it("shows each host's trees and disk bytes once some host reported them, '-' for one that has not", () => {
    const disk = (trees: number, retiredTrees: number, pinnedTrees: number, bytes: number) => ({ trees, retiredTrees, pinnedTrees, bytes, measuredAt: '2025-01-02T03:09:00.000Z', lastCollection: null });
    const lines = formatHostTable(
      [host('core-a', HASH, { disk: disk(3, 2, 1, 5 * 1024 * 1024) }), host('core-b', HASH), host('probe-a', HASH, { agent: {}, disk: disk(1, 0, 0, 2048) })],
      HASH,
      NOW,
    ).split('\n');
    expect(lines[0]).toMatch(/^HOST\s+KIND\s+LOCKFILE\s+STATE\s+CONVERGED\s+LAST SEEN\s+TREES\s+DISK\s+AGENT\s+HOSTNAME\s+LAST PULL\s+ERROR$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/).slice(6, 8))).toEqual([
      ['3 (2 retired, 1 pinned)', '5.0 MiB'],
      ['-', '-'],
      ['1', '2.0 KiB'],
    ]);
  });
});

describe('formatTrees', () => {
  it('counts the trees and says why the ones besides the current one are still there', () => {
    const disk = { trees: 2, retiredTrees: 1, pinnedTrees: 0, bytes: 1, measuredAt: '2025-01-02T03:09:00.000Z', lastCollection: null };
    expect(formatTrees(disk)).toBe('2 (1 retired)');
    expect(formatTrees({ ...disk, retiredTrees: 0, pinnedTrees: 1 })).toBe('2 (1 pinned)');
    expect(formatTrees(null)).toBe('-');
  });
});
