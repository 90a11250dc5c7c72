// The last blob GC runs, newest first: when, why, what each deleted and freed, and its errors.
import type { GcRun } from '@spk/common';
import { formatBytes, formatTime } from '../ui/format.ts';
import { formatDuration } from './durations.ts';

export function GcRunsTable({ runs }: { runs: GcRun[] }) {
  if (runs.length === 0) return <p>Blob GC has not run yet.</p>;
  return (
    <div className="table-wrap">
      <table aria-label="Garbage collection runs">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Trigger</th>
            <th scope="col">Status</th>
            <th scope="col">Took</th>
            <th scope="col">Blobs deleted</th>
            <th scope="col">Freed</th>
            <th scope="col">Newly unreferenced</th>
            <th scope="col">History pruned</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td>
                <time dateTime={run.startedAt}>{formatTime(run.startedAt)}</time>
              </td>
              <td>{run.trigger === 'manual' ? `manual${run.requestedBy ? ` (${run.requestedBy})` : ''}` : 'schedule'}</td>
              <td className={`gc-${run.status}`}>{run.status}</td>
              <td>{run.durationMs === null ? '—' : formatDuration(run.durationMs)}</td>
              <td className="num">{run.blobsDeleted}</td>
              <td className="num">{formatBytes(run.bytesFreed)}</td>
              <td className="num">{run.blobsMarked}</td>
              <td className="num">{run.historyPruned}</td>
              <td>{run.errors.length === 0 ? 'none' : run.errors.join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
