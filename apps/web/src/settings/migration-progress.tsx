// One storage migration: where from and to, its status, a progress bar with the ETA while it
// copies, and its errors. The panel refreshes it every second while it runs.
import { ACTIVE_MIGRATION_STATUSES, type StorageMigration } from '@spk/common';
import { formatBytes, formatTime } from '../ui/format.ts';
import { formatEta, percentDone } from './durations.ts';
import { ProgressBar } from '../ui/progress-bar.tsx';

const STATUS_TEXT: Record<StorageMigration['status'], string> = {
  copying: 'copying blobs',
  switching: 'switching the active store',
  'deleting-source': 'deleting blobs from the old store',
  done: 'done',
  failed: 'failed',
};

export function MigrationProgress({ migration }: { migration: StorageMigration }) {
  const running = ACTIVE_MIGRATION_STATUSES.includes(migration.status);
  const percent = percentDone(migration.done, migration.total);
  return (
    <div className="migration">
      <h3>{running ? 'Running migration' : 'Last migration'}</h3>
      <p role="status" aria-label="Migration status">
        <code>{migration.source}</code> → <code>{migration.target}</code>: <strong>{STATUS_TEXT[migration.status]}</strong>
        {migration.resumed > 0 && <span className="muted"> (resumed {migration.resumed}×)</span>}
      </p>
      <ProgressBar label="Migration progress" percent={percent} valueText={`${migration.done} of ${migration.total} blobs (${percent} %)`} />
      <p>
        {migration.done} of {migration.total} blobs verified, {formatBytes(migration.bytesDone)} of {formatBytes(migration.totalBytes)}
        {running && migration.status === 'copying' && <> — {formatEta(migration.etaSeconds)}</>}
      </p>
      <p className="muted">
        Started <time dateTime={migration.startedAt}>{formatTime(migration.startedAt)}</time>
        {migration.finishedAt && (
          <>
            , finished <time dateTime={migration.finishedAt}>{formatTime(migration.finishedAt)}</time>
          </>
        )}
        {migration.deleteSource ? '; the old store is emptied after the switch' : '; the old store keeps its blobs'}
      </p>
      {migration.lastError && (
        <p className="error" role="alert">
          {migration.lastError}
        </p>
      )}
      {migration.errorCount > 0 && (
        <details>
          <summary>
            {migration.errorCount} blob{migration.errorCount === 1 ? '' : 's'} could not be copied
          </summary>
          <ul className="plain-list">
            {migration.errors.map((error) => (
              <li key={error.integrity}>
                <code>{error.integrity.slice(0, 24)}…</code>: {error.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
