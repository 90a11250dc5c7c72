// Human output: tables, byte sizes, packages and install progress (the status report is in
// format-status.ts, the registry configuration in format-registry.ts). Pure string building so
// the wording is unit-tested; commands decide where it goes.
import type { DeclaredPackage, InstallProgress, InstallState, PackageList } from '@spk/common';

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

/** "1 package", "3 packages". */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Under the table: which tree the answering host runs, and what an install would still add. */
function packageListFooter(list: PackageList): string[] {
  const { host } = list;
  const lines: string[] = [];
  if (list.lockfileHash === null) lines.push('nothing installed yet: run `spk install`');
  else if (host.lockfileHash === list.lockfileHash) lines.push(`host ${host.hostId} runs the desired tree ${shortHash(list.lockfileHash)}`);
  else {
    const runs = host.lockfileHash === null ? 'no tree yet' : shortHash(host.lockfileHash);
    lines.push(`host ${host.hostId} runs ${runs}, not yet the desired tree ${shortHash(list.lockfileHash)}; see \`spk status\``);
  }
  const pending = list.packages.filter((p) => p.enabled && p.resolvedVersion === null).length;
  if (pending > 0 && list.lockfileHash !== null) {
    lines.push(`${pending} enabled package${pending === 1 ? ' is' : 's are'} not in the desired tree yet: run \`spk install\``);
  }
  return lines;
}

export function formatPackageList(list: PackageList): string {
  if (list.packages.length === 0) return 'no packages declared (add one with `spk packages add <name>[@range]`)';
  const sorted = [...list.packages].sort((a, b) => a.name.localeCompare(b.name));
  const table = renderTable(
    ['NAME', 'RANGE', 'ENABLED', 'RESOLVED', 'INSTALLED', 'UPDATED'],
    sorted.map((p) => [p.name, p.range, p.enabled ? 'yes' : 'no', p.resolvedVersion ?? '-', p.installed ? 'yes' : 'no', p.updatedAt]),
  );
  return [table, '', ...packageListFooter(list)].join('\n');
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
  return `committed ${state.lockfileHash ?? '(no lockfile)'} (${plural(state.manifest.length, 'package')}, ${formatBytes(state.totalSize)})`;
}
