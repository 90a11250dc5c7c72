import { emptyInstallState, type InstallState, type ListedPackage } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatInstallOutcome, formatPackageList, formatProgress, renderTable } from './format.ts';

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
  const at = '2025-01-01T00:00:00.000Z';
  const listed = (name: string, range: string, enabled: boolean, resolvedVersion: string | null, installed: boolean): ListedPackage => ({
    name,
    range,
    enabled,
    resolvedVersion,
    tarballSize: resolvedVersion === null ? null : 1024,
    installed,
    createdAt: at,
    updatedAt: at,
  });

  it('lists packages sorted by name with range, enabled flag, resolved version and whether this host runs it', () => {
    const text = formatPackageList({
      packages: [listed('zod', '^3.23', true, '3.25.1', true), listed('@scope/x', 'latest', false, null, false)],
      lockfileHash: HASH,
      host: { hostId: 'core-a', lockfileHash: HASH },
    });
    expect(text.split('\n')).toEqual([
      'NAME      RANGE   ENABLED  RESOLVED  INSTALLED  UPDATED',
      `@scope/x  latest  no       -         no         ${at}`,
      `zod       ^3.23   yes      3.25.1    yes        ${at}`,
      '',
      `host core-a runs the desired tree ${HASH.slice(0, 12)}`,
    ]);
  });

  it('says when the answering host is behind and which enabled packages no install has included yet', () => {
    const text = formatPackageList({
      packages: [listed('zod', '^3.23', true, '3.25.1', false), listed('left-pad', '^1', true, null, false)],
      lockfileHash: HASH,
      host: { hostId: 'core-a', lockfileHash: OTHER },
    });
    expect(text).toContain(`host core-a runs ${OTHER.slice(0, 12)}, not yet the desired tree ${HASH.slice(0, 12)}; see \`spk status\``);
    expect(text).toContain('1 enabled package is not in the desired tree yet: run `spk install`');
  });

  it('says how to add one when nothing is declared, and how to install when nothing is installed', () => {
    expect(formatPackageList({ packages: [], lockfileHash: null, host: { hostId: 'h', lockfileHash: null } })).toMatch(/no packages declared.*spk packages add/);
    const text = formatPackageList({ packages: [listed('zod', 'latest', true, null, false)], lockfileHash: null, host: { hostId: 'h', lockfileHash: null } });
    expect(text).toContain('nothing installed yet: run `spk install`');
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
    expect(formatInstallOutcome(state({ manifest: [entry('a'), entry('b')], totalSize: 2048 }))).toBe(`committed ${HASH} (2 packages, 2.0 KiB)`);
    expect(formatInstallOutcome(state({ manifest: [entry('a')], totalSize: 5 }))).toBe(`committed ${HASH} (1 package, 5 B)`);
  });
});
