// The Garbage collection panel: GC settings, unreferenced blobs waiting out the grace, and the last
// runs. With `manage`, "Run GC now" runs blob GC (and this instance's tree GC) and shows what it did.
import { useState } from 'react';
import type { GcRunResult } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { formatBytes, formatTime } from '../ui/format.ts';
import { useAction, useApi } from '../ui/hooks.ts';
import { formatDuration } from './durations.ts';
import { GcRunsTable } from './gc-runs-table.tsx';

function RunResult({ result }: { result: GcRunResult }) {
  const { run, host } = result;
  return (
    <div className="gc-result">
      <p>
        GC run {run.status}: {run.blobsDeleted} blob{run.blobsDeleted === 1 ? '' : 's'} deleted ({formatBytes(run.bytesFreed)} freed),{' '}
        {run.blobsMarked} newly unreferenced, {run.historyPruned} history entr{run.historyPruned === 1 ? 'y' : 'ies'} pruned.
      </p>
      {host && (
        <p>
          Host <code>{host.hostId}</code>: {host.collection.trees} retired tree{host.collection.trees === 1 ? '' : 's'} deleted,{' '}
          {formatBytes(host.collection.bytesFreed)} freed.
        </p>
      )}
      {[...run.errors, ...(host?.collection.errors ?? [])].map((error, i) => (
        <p key={i} className="error">
          {error}
        </p>
      ))}
    </div>
  );
}

export function GcPanel({ manage }: { manage: boolean }) {
  const { client } = useSession();
  const loaded = useApi(() => client.gc.state(), [client]);
  const [result, setResult] = useState<GcRunResult | null>(null);
  const running = useAction(() => client.gc.run());
  const gc = loaded.data;

  async function runNow() {
    setResult(null);
    const answer = await running.run();
    if (!answer) return;
    setResult(answer);
    loaded.reload();
  }

  return (
    <section className="settings-panel" aria-labelledby="settings-gc">
      <h2 id="settings-gc">Garbage collection</h2>
      <ErrorText failure={loaded.error} />
      {loaded.loading && !gc && <p aria-live="polite">Loading the GC state…</p>}
      {gc && (
        <>
          <dl className="facts">
            <dt>Blob grace</dt>
            <dd>{formatDuration(gc.settings.blobGraceMs)} unreferenced before a blob is deleted</dd>
            <dt>Schedule</dt>
            <dd>{gc.settings.intervalMs === 0 ? 'off: on demand only' : `every ${formatDuration(gc.settings.intervalMs)}`}</dd>
            <dt>Next scheduled run</dt>
            <dd>{gc.nextRunAt ? <time dateTime={gc.nextRunAt}>{formatTime(gc.nextRunAt)}</time> : 'none'}</dd>
            <dt>History kept</dt>
            <dd>the last {gc.settings.historyKeep} installs, and pinned ones</dd>
            <dt>Tree grace</dt>
            <dd>{formatDuration(gc.settings.treeGraceMs)} retired before a host deletes a tree</dd>
            <dt>Waiting out the grace</dt>
            <dd>
              {gc.pending.blobs} blob{gc.pending.blobs === 1 ? '' : 's'} ({formatBytes(gc.pending.bytes)})
              {gc.pending.nextEligibleAt && (
                <>
                  , the first deletable from <time dateTime={gc.pending.nextEligibleAt}>{formatTime(gc.pending.nextEligibleAt)}</time>
                </>
              )}
            </dd>
          </dl>
          <h3>Last runs</h3>
          <GcRunsTable runs={gc.runs} />
        </>
      )}
      {manage && (
        <div className="form-actions">
          <button type="button" onClick={() => void runNow()} disabled={running.pending}>
            Run GC now
          </button>
        </div>
      )}
      <ErrorText failure={running.error} />
      <div aria-live="polite" aria-label="GC result">
        {running.pending && <p>Running GC…</p>}
        {result && <RunResult result={result} />}
      </div>
    </section>
  );
}
