// `spk history` and `spk rollback` in words: the table of committed desired states, newest first,
// and what a rollback made desired and restored. Pure string building.
import type { DeclaredSnapshotEntry, InstallHistory, RollbackResult } from '@spk/common';
import { formatBytes, plural, renderTable, shortHash } from './format.ts';

/** "2025-01-02T03:04:05Z": to the second, which is all a reader compares. */
export const isoSeconds = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

function flags(entry: InstallHistory['entries'][number]): string {
  const set = [entry.desired ? '*' : '', entry.pinned ? 'pinned' : ''].filter(Boolean);
  return set.length === 0 ? '-' : set.join(' ');
}

export function formatHistory(history: InstallHistory): string {
  if (history.entries.length === 0) return 'no desired state committed yet: run `spk install`';
  const rows = history.entries.map((entry) => [
    shortHash(entry.lockfileHash),
    isoSeconds(entry.committedAt),
    entry.committedBy ?? '-',
    entry.source,
    String(entry.packages),
    formatBytes(entry.totalSize),
    flags(entry),
  ]);
  const table = renderTable(['HASH', 'COMMITTED', 'BY', 'SOURCE', 'PACKAGES', 'SIZE', 'FLAGS'], rows);
  return [
    table,
    '',
    `* desired; kept: the last ${history.keep} plus pinned ones. Roll back with \`spk rollback <hash>\`; keep one with \`spk history pin <hash>\`.`,
  ].join('\n');
}

const declaredLine = (entry: DeclaredSnapshotEntry) => `  ${entry.name}@${entry.range}${entry.enabled ? '' : ' (disabled)'}`;

export function formatRollback(result: RollbackResult): string {
  const { state } = result;
  const was = result.previousHash === null ? 'none' : shortHash(result.previousHash);
  const head =
    result.previousHash === result.lockfileHash
      ? `${result.lockfileHash} was already the desired state`
      : `desired state is now ${result.lockfileHash} (was ${was})`;
  const lines = [`${head}: ${plural(state.manifest.length, 'package')}, ${formatBytes(state.totalSize)}`];
  if (result.declared === null) {
    lines.push('that history entry has no declared set recorded: the declared packages were left as they were');
  } else if (result.declared.length === 0) {
    lines.push('declared packages restored: none');
  } else {
    lines.push(`declared packages restored (${result.declared.length}):`, ...result.declared.map(declaredLine));
  }
  return lines.join('\n');
}
