// `spk gc` and `spk gc state` in words: one blob GC run with the answering host's tree collection,
// and the GC settings, the schedule, blobs waiting out the grace and the last runs. Pure: the
// caller passes the clock.
import type { GcRun, GcRunResult, GcState, TreeCollection } from '@spk/common';
import { formatSeconds } from './durations.ts';
import { formatBytes, plural, renderTable } from './format.ts';
import { formatAge } from './format-hosts.ts';
import { isoSeconds } from './format-history.ts';

const errorLines = (errors: readonly string[]) => errors.map((error) => `  error: ${error}`);

export function formatGcRun(run: GcRun): string {
  const by = run.requestedBy === null ? run.trigger : `${run.trigger}, by ${run.requestedBy}`;
  const took = run.durationMs === null ? '' : ` in ${formatSeconds(run.durationMs)}`;
  return [
    `blob GC run ${run.id} (${by}): ${run.status}${took}`,
    `  deleted:         ${plural(run.blobsDeleted, 'blob')}, ${formatBytes(run.bytesFreed)} freed`,
    `  marked:          ${plural(run.blobsMarked, 'blob')} newly unreferenced (deleted once past the grace)`,
    `  history pruned:  ${run.historyPruned === 1 ? '1 entry' : `${run.historyPruned} entries`}`,
    ...(run.errors.length === 0 ? ['  errors:          none'] : errorLines(run.errors)),
  ].join('\n');
}

export function formatTreeCollection(hostId: string, collection: TreeCollection): string {
  const stale = collection.stalePins === 0 ? '' : `; ${plural(collection.stalePins, 'stale run pin')} ignored`;
  return [
    `host ${hostId} trees: ${plural(collection.trees, 'retired tree')} deleted, ${plural(collection.extracted, 'extracted package')} and ` +
      `${plural(collection.blobs, 'cached blob')} removed, ${formatBytes(collection.bytesFreed)} freed${stale}`,
    ...errorLines(collection.errors),
  ].join('\n');
}

export function formatGcResult(result: GcRunResult): string {
  const host = result.host === null ? 'the answering server collected no trees (it runs none)' : formatTreeCollection(result.host.hostId, result.host.collection);
  return `${formatGcRun(result.run)}\n${host}`;
}

/** Every problem a run reports: its own errors and the tree collection's. */
export function gcProblems(result: GcRunResult): number {
  return result.run.errors.length + (result.host?.collection.errors.length ?? 0);
}

const inFuture = (iso: string, now: Date) => `${isoSeconds(iso)} (in ${formatAge(Date.parse(iso) - now.getTime())})`;

export function formatGcState(state: GcState, now: Date): string {
  const { settings, pending } = state;
  const schedule = settings.intervalMs === 0 ? 'on demand only (SPK_BLOB_GC_INTERVAL_MS=0)' : `every ${formatAge(settings.intervalMs)}`;
  const next = state.nextRunAt === null ? 'not scheduled on this server: run `spk gc`' : inFuture(state.nextRunAt, now);
  const eligible = pending.nextEligibleAt === null ? '' : `; the first may be deleted from ${inFuture(pending.nextEligibleAt, now)}`;
  const lines = [
    `blob GC:      ${schedule}, after a grace of ${formatAge(settings.blobGraceMs)} unreferenced`,
    `tree GC:      on every host after each reconcile and on a timer; retired trees kept ${formatAge(settings.treeGraceMs)}`,
    `history:      the last ${settings.historyKeep} kept, plus pinned ones`,
    `next run:     ${next}`,
    `pending:      ${plural(pending.blobs, 'blob')} (${formatBytes(pending.bytes)}) waiting out the grace${eligible}`,
    '',
  ];
  if (state.runs.length === 0) return [...lines, 'no blob GC run yet'].join('\n');
  const rows = state.runs.map((run) => [
    String(run.id),
    isoSeconds(run.startedAt),
    run.trigger,
    run.status,
    run.durationMs === null ? '-' : formatSeconds(run.durationMs),
    String(run.blobsDeleted),
    formatBytes(run.bytesFreed),
    String(run.blobsMarked),
    String(run.historyPruned),
    run.errors.length === 0 ? '-' : (run.errors[0]!.split('\n', 1)[0] ?? '') + (run.errors.length > 1 ? ` (+${run.errors.length - 1})` : ''),
  ]);
  return [...lines, 'last runs:', renderTable(['RUN', 'STARTED', 'TRIGGER', 'STATUS', 'TOOK', 'DELETED', 'FREED', 'MARKED', 'PRUNED', 'ERRORS'], rows)].join('\n');
}
