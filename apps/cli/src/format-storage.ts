// `spk storage state` and `spk storage migrate` in words: the active store, blobs per store, and a
// migration's progress (as a bar on a terminal, as one line elsewhere) and outcome. Pure string
// building; the rate is measured by the caller.
import type { StorageMigration, StorageState } from '@spk/common';
import { formatSeconds } from './durations.ts';
import { formatBytes, plural, renderTable } from './format.ts';
import { formatAge } from './format-hosts.ts';
import { isoSeconds } from './format-history.ts';

const BAR_WIDTH = 24;

const percent = (m: StorageMigration) => (m.total === 0 ? 100 : Math.floor((m.done / m.total) * 100));

/** Seconds left: the server's estimate, else one from the rate the caller measured. */
function etaSeconds(m: StorageMigration, bytesPerSecond: number | null): number | null {
  if (m.etaSeconds !== null) return m.etaSeconds;
  if (bytesPerSecond === null || bytesPerSecond <= 0) return null;
  return (m.totalBytes - m.bytesDone) / bytesPerSecond;
}

/** "60/120 50% 20.0 MiB/45.0 MiB 1.2 MiB/s ETA 30s": the counts of a running migration. */
export function formatMigrationCounts(m: StorageMigration, bytesPerSecond: number | null): string {
  const parts = [`${m.done}/${m.total}`, `${percent(m)}%`, `${formatBytes(m.bytesDone)}/${formatBytes(m.totalBytes)}`];
  if (bytesPerSecond !== null) parts.push(`${formatBytes(Math.round(bytesPerSecond))}/s`);
  const eta = etaSeconds(m, bytesPerSecond);
  if (m.status === 'copying') parts.push(`ETA ${eta === null ? '-' : formatAge(eta * 1000)}`);
  if (m.errorCount > 0) parts.push(plural(m.errorCount, 'error'));
  return parts.join(' ');
}

/** The terminal line: "copying [#####-----] 60/120 50% …", redrawn in place. */
export function formatProgressBar(m: StorageMigration, bytesPerSecond: number | null): string {
  const filled = Math.round((percent(m) / 100) * BAR_WIDTH);
  return `${m.status} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${formatMigrationCounts(m, bytesPerSecond)}`;
}

/** The line for logs: "migration 3 postgres → filesystem: copying 60/120 50% …". */
export function formatProgressLine(m: StorageMigration, bytesPerSecond: number | null): string {
  return `migration ${m.id} ${m.source} → ${m.target}: ${m.status} ${formatMigrationCounts(m, bytesPerSecond)}`;
}

const errorLines = (m: StorageMigration) => [
  ...m.errors.map((error) => `  ${error.integrity}: ${error.message}`),
  ...(m.errorCount > m.errors.length ? [`  … and ${m.errorCount - m.errors.length} more`] : []),
];

function took(m: StorageMigration): string {
  return m.finishedAt === null ? '' : ` in ${formatSeconds(Date.parse(m.finishedAt) - Date.parse(m.startedAt))}`;
}

/** What a finished migration did: the summary line of `--wait`. */
export function formatMigrationDone(m: StorageMigration): string {
  const deleted = m.deleteSource ? `; its blobs were deleted from ${m.source}` : `; ${m.source} still holds its copies`;
  return `migrated ${plural(m.total, 'blob')} (${formatBytes(m.totalBytes)}) from ${m.source} to ${m.target}${took(m)}: ${m.target} is the active store${deleted}`;
}

/** Why a migration failed, with the blobs that failed; the source stays active. */
export function formatMigrationFailure(m: StorageMigration): string {
  const reason = m.lastError ?? (m.errorCount > 0 ? `${plural(m.errorCount, 'blob')} could not be copied` : 'no reason recorded');
  return [
    `migration ${m.id} from ${m.source} to ${m.target} failed after ${m.done}/${m.total} blobs: ${reason}`,
    ...errorLines(m),
    `${m.source} stays the active store. Fix the cause (see the server log), then run \`spk storage migrate ${m.target}\` again.`,
  ].join('\n');
}

function migrationSection(m: StorageMigration | null): string[] {
  if (m === null) return ['migration:     none yet (start one with `spk storage migrate <store>`)'];
  const resumed = m.resumed === 0 ? '' : `, resumed ${m.resumed === 1 ? 'once' : `${m.resumed} times`}`;
  const head = `migration:     ${m.id}, ${m.source} → ${m.target}, ${m.status}; started ${isoSeconds(m.startedAt)}${resumed}`;
  if (m.status === 'done') return [head, `               ${formatMigrationDone(m)}`];
  if (m.status === 'failed') return [head, ...formatMigrationFailure(m).split('\n').map((line) => `               ${line}`)];
  return [head, `progress:      ${formatMigrationCounts(m, null)}`, ...errorLines(m)];
}

export function formatStorageState(state: StorageState): string {
  const stores = renderTable(
    ['STORE', 'BLOBS', 'BYTES', ''],
    state.stores.map((store) => [store.id, String(store.blobs), formatBytes(store.bytes), store.id === state.activeStore ? 'active' : '']),
  );
  return [
    `active store:  ${state.activeStore}`,
    `available:     ${state.availableStores.join(', ')}`,
    `blobs:         ${state.blobCount} (${formatBytes(state.totalBytes)})`,
    ...migrationSection(state.migration),
    '',
    stores,
  ].join('\n');
}

/** What `spk storage migrate` without --wait says: what started and how to follow it. */
export function formatMigrationStarted(m: StorageMigration): string {
  if (m.status === 'done') return formatMigrationDone(m);
  return (
    `migration ${m.id} started: ${plural(m.total, 'blob')} (${formatBytes(m.totalBytes)}) from ${m.source} to ${m.target}; ` +
    `follow it with \`spk storage state\` or \`spk storage migrate ${m.target} --wait\``
  );
}
