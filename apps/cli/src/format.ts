// Human output: tables, byte sizes, install progress and the status report. Pure string
// building so the wording is unit-tested; commands decide where it goes.
import type { DeclaredPackage, HostStatus, InstallProgress, InstallState, RegistryConfig } from '@spk/common';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Left-aligned columns separated by two spaces; trailing spaces trimmed. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function shortHash(hash: string | null): string {
  return hash === null ? '-' : hash.slice(0, 12);
}

export function formatPackageList(packages: readonly DeclaredPackage[]): string {
  if (packages.length === 0) return 'no packages declared (add one with `spk packages add <name>[@range]`)';
  const sorted = [...packages].sort((a, b) => a.name.localeCompare(b.name));
  return renderTable(
    ['NAME', 'RANGE', 'ENABLED', 'UPDATED'],
    sorted.map((p) => [p.name, p.range, p.enabled ? 'yes' : 'no', p.updatedAt]),
  );
}

export function formatPackage(pkg: DeclaredPackage): string {
  return `${pkg.name}@${pkg.range} (${pkg.enabled ? 'enabled' : 'disabled'})`;
}

/** "resolving", "fetching 3/10": the phase, with counts once the phase knows its total. */
export function formatProgress(progress: InstallProgress | null): string {
  if (progress === null) return 'starting';
  return progress.total > 0 ? `${progress.phase} ${progress.done}/${progress.total}` : progress.phase;
}

export function formatInstallOutcome(state: InstallState): string {
  const count = state.manifest.length;
  return `installed ${state.lockfileHash ?? '(no lockfile)'} (${count} package${count === 1 ? '' : 's'}, ${formatBytes(state.totalSize)})`;
}

function hostRows(hosts: readonly HostStatus[], desired: string | null): string[][] {
  return [...hosts]
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.hostId.localeCompare(b.hostId))
    .map((host) => {
      const tree = host.lockfileHash === null ? 'none' : host.lockfileHash === desired ? 'current' : 'behind';
      return [host.hostId, host.kind, shortHash(host.lockfileHash), tree, host.convergedAt ?? '-', host.lastError ?? '-'];
    });
}

export function formatStatus(state: InstallState, hosts: readonly HostStatus[]): string {
  const count = state.manifest.length;
  const status = state.status === 'installing' ? `installing (${formatProgress(state.progress)})` : state.status;
  const lines = [
    `install:     ${status}`,
    `lockfile:    ${state.lockfileHash ?? 'none (nothing installed yet)'}`,
    `packages:    ${count} (${formatBytes(state.totalSize)})`,
    `committed:   ${state.committedAt ?? '-'}`,
    `last error:  ${state.error ? `${state.error.code}: ${state.error.message}` : 'none'}`,
  ];
  if (state.warnings.length === 0) lines.push('warnings:    none');
  else lines.push('warnings:', ...state.warnings.map((w) => `  - ${w}`));
  lines.push('');
  if (hosts.length === 0) {
    lines.push('hosts:       none reported');
  } else {
    lines.push(`hosts (${hosts.length}):`);
    lines.push(renderTable(['HOST', 'KIND', 'LOCKFILE', 'TREE', 'CONVERGED', 'ERROR'], hostRows(hosts, state.lockfileHash)));
  }
  return lines.join('\n');
}

export function formatRegistry(config: RegistryConfig): string {
  return [
    `url:      ${config.url}`,
    `token:    ${config.hasToken ? 'set' : 'not set'}`,
    `updated:  ${config.updatedAt ?? '-'}`,
  ].join('\n');
}
