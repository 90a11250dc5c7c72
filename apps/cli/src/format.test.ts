import { emptyInstallState, type HostStatus, type InstallState } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatInstallOutcome, formatPackageList, formatProgress, formatRegistry, formatStatus, renderTable } from './format.ts';

const HASH = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);

function state(overrides: Partial<InstallState> = {}): InstallState {
  return { ...emptyInstallState(), lockfileHash: HASH, committedAt: '2025-01-02T03:04:05.000Z', ...overrides };
}

function entry(name: string): InstallState['manifest'][number] {
  return {
    name,
    version: '1.0.0',
    path: `node_modules/${name}`,
    integrity: `sha512-${'A'.repeat(86)}==`,
    size: 10,
    hasInstallScript: false,
    bin: {},
    dependencies: {},
  };
}

function host(hostId: string, kind: HostStatus['kind'], lockfileHash: string | null, lastError: string | null = null): HostStatus {
  return { hostId, kind, lockfileHash, convergedAt: lockfileHash ? '2025-01-02T03:05:00.000Z' : null, lastError, updatedAt: '2025-01-02T03:05:00.000Z' };
}

describe('formatBytes', () => {
  it('uses binary units with one decimal above a KiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150.0 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});

describe('renderTable', () => {
  it('aligns columns to the widest cell and trims line ends', () => {
    expect(renderTable(['A', 'BB'], [['xxx', 'y'], ['z', '']])).toBe(['A    BB', 'xxx  y', 'z'].join('\n'));
  });
});

describe('formatPackageList', () => {
  it('lists packages sorted by name with range and enabled flag', () => {
    const at = '2025-01-01T00:00:00.000Z';
    const text = formatPackageList([
      { name: 'zod', range: '^3.23', enabled: true, createdAt: at, updatedAt: at },
      { name: '@scope/x', range: 'latest', enabled: false, createdAt: at, updatedAt: at },
    ]);
    expect(text.split('\n')).toEqual([
      'NAME      RANGE   ENABLED  UPDATED',
      `@scope/x  latest  no       ${at}`,
      `zod       ^3.23   yes      ${at}`,
    ]);
  });

  it('says how to add one when nothing is declared', () => {
    expect(formatPackageList([])).toMatch(/no packages declared.*spk packages add/);
  });
});

describe('formatProgress', () => {
  it('shows the phase and done/total once the phase has a total', () => {
    expect(formatProgress({ phase: 'resolving', done: 0, total: 0 })).toBe('resolving');
    expect(formatProgress({ phase: 'fetching', done: 3, total: 10 })).toBe('fetching 3/10');
    expect(formatProgress({ phase: 'publishing', done: 10, total: 10 })).toBe('publishing 10/10');
    expect(formatProgress(null)).toBe('starting');
  });
});

describe('formatInstallOutcome', () => {
  it('names the hash, the package count and the size', () => {
    expect(formatInstallOutcome(state({ manifest: [entry('a'), entry('b')], totalSize: 2048 }))).toBe(`installed ${HASH} (2 packages, 2.0 KiB)`);
    expect(formatInstallOutcome(state({ manifest: [entry('a')], totalSize: 5 }))).toBe(`installed ${HASH} (1 package, 5 B)`);
  });
});

describe('formatStatus', () => {
  it('reports the install, its size, warnings, last error and each host against the desired hash', () => {
    const text = formatStatus(
      state({
        manifest: [entry('a'), entry('b'), entry('c')],
        totalSize: 3 * 1024 * 1024,
        warnings: ['the set is above the warn threshold'],
        error: { code: 'REGISTRY_UNREACHABLE', message: 'registry.npmjs.org did not answer' },
      }),
      [host('sat-1', 'satellite', OTHER, 'disk full'), host('core-a', 'core', HASH), host('sat-0', 'satellite', null)],
    );
    const lines = text.split('\n');
    expect(lines).toContain('install:     idle');
    expect(lines).toContain(`lockfile:    ${HASH}`);
    expect(lines).toContain('packages:    3 (3.0 MiB)');
    expect(lines).toContain('last error:  REGISTRY_UNREACHABLE: registry.npmjs.org did not answer');
    expect(lines).toContain('  - the set is above the warn threshold');
    expect(lines).toContain('hosts (3):');
    const hostLines = lines.slice(lines.indexOf('hosts (3):') + 1);
    expect(hostLines[0]).toMatch(/^HOST\s+KIND\s+LOCKFILE\s+TREE\s+CONVERGED\s+ERROR$/);
    expect(hostLines[1]).toMatch(new RegExp(`^core-a\\s+core\\s+${HASH.slice(0, 12)}\\s+current\\s`));
    expect(hostLines[2]).toMatch(/^sat-0\s+satellite\s+-\s+none\s+-\s+-$/);
    expect(hostLines[3]).toMatch(new RegExp(`^sat-1\\s+satellite\\s+${OTHER.slice(0, 12)}\\s+behind\\s.*disk full$`));
  });

  it('shows live progress while installing and says when nothing is installed or reported', () => {
    const text = formatStatus(state({ status: 'installing', lockfileHash: null, progress: { phase: 'fetching', done: 1, total: 4 } }), []);
    expect(text).toContain('install:     installing (fetching 1/4)');
    expect(text).toContain('lockfile:    none (nothing installed yet)');
    expect(text).toContain('warnings:    none');
    expect(text).toContain('last error:  none');
    expect(text).toContain('hosts:       none reported');
  });
});

describe('formatRegistry', () => {
  it('says whether a token is set, never what it is', () => {
    expect(formatRegistry({ url: 'https://r.example/', hasToken: true, updatedAt: null })).toBe(
      ['url:      https://r.example/', 'token:    set', 'updated:  -'].join('\n'),
    );
  });
});
