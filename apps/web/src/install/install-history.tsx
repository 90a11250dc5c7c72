// The committed desired states, newest first, with what each was installed from. With `manage`, an
// operator rolls back to one in one click (undone the same way: the state left is in the history
// too) or pins it so pruning keeps it.
import { useState } from 'react';
import type { DeclaredSnapshotEntry, HistoryEntry, RollbackResult } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { formatBytes, formatTime, shortHash } from '../ui/format.ts';
import { useAction, useApi } from '../ui/hooks.ts';

function declaredSummary(declared: DeclaredSnapshotEntry[] | null): string {
  if (declared === null) return 'not recorded';
  if (declared.length === 0) return 'none';
  return declared.map((p) => `${p.name}@${p.range}${p.enabled ? '' : ' (disabled)'}`).join(', ');
}

interface RowProps {
  entry: HistoryEntry;
  manage: boolean;
  busy: boolean;
  onRollback(): void;
  onPin(): void;
}

function HistoryRow({ entry, manage, busy, onRollback, onPin }: RowProps) {
  const hash12 = shortHash(entry.lockfileHash);
  return (
    <tr className={entry.desired ? 'current' : undefined}>
      <td className="nowrap">
        <code title={entry.lockfileHash}>{hash12}</code>
        {entry.desired ? <span className="badge badge-current"> current</span> : null}
      </td>
      <td>
        <time dateTime={entry.committedAt}>{formatTime(entry.committedAt)}</time>
        <div className="muted">
          {entry.source === 'rollback' ? 'rollback' : 'install'}
          {entry.committedBy ? ` by ${entry.committedBy}` : ''}
        </div>
      </td>
      <td className="declared">{declaredSummary(entry.declared)}</td>
      <td>
        {entry.packages} · {formatBytes(entry.totalSize)}
      </td>
      <td>
        {entry.pinned ? 'pinned' : 'no'}
        {manage ? (
          <>
            {' '}
            <button type="button" className="small" disabled={busy} aria-label={`${entry.pinned ? 'Unpin' : 'Pin'} ${hash12}`} onClick={onPin}>
              {entry.pinned ? 'Unpin' : 'Pin'}
            </button>
          </>
        ) : null}
      </td>
      {manage ? (
        <td className="row-actions">
          {entry.desired ? null : (
            <button type="button" disabled={busy} onClick={onRollback} title={`Hosts switch to ${hash12} and the declared set becomes what it was then`}>
              Roll back to {hash12}
            </button>
          )}
        </td>
      ) : null}
    </tr>
  );
}

/** `desiredHash` is the watched desired state: the history is read again whenever it changes. */
export function InstallHistory({ desiredHash }: { desiredHash: string | null | undefined }) {
  const { client, can } = useSession();
  const manage = can('manage');
  const history = useApi(() => client.install.history(), [client, desiredHash]);
  const [rolledBack, setRolledBack] = useState<RollbackResult | null>(null);
  const rollback = useAction((lockfileHash: string) => client.install.rollback({ lockfileHash }));
  const pin = useAction((lockfileHash: string, pinned: boolean) => client.install.pin({ lockfileHash, pinned }));
  const busy = rollback.pending || pin.pending;

  async function doRollback(lockfileHash: string) {
    setRolledBack(null);
    const result = await rollback.run(lockfileHash);
    if (result) setRolledBack(result);
    history.reload();
  }

  async function doPin(entry: HistoryEntry) {
    if (await pin.run(entry.lockfileHash, !entry.pinned)) history.reload();
  }

  const entries = history.data?.entries ?? [];
  return (
    <section aria-labelledby="install-history-title">
      <h2 id="install-history-title">Install history</h2>
      <p className="muted">
        The last {history.data?.keep ?? '…'} committed states are kept, and pinned ones whatever their age. A rollback does not contact the registry.
      </p>
      <ErrorText failure={history.error} />
      <ErrorText failure={rollback.error} />
      <ErrorText failure={pin.error} />
      <div role="status" className="notice">
        {rolledBack ? (
          <>
            Rolled back to <code>{shortHash(rolledBack.lockfileHash)}</code>
            {rolledBack.warnings.length > 0 ? `; warnings: ${rolledBack.warnings.join('; ')}` : ''}
          </>
        ) : null}
      </div>
      {history.loading && !history.data ? <p className="muted">Loading the history…</p> : null}
      {history.data && entries.length === 0 ? <p>No install has been committed yet.</p> : null}
      {entries.length > 0 ? (
        <div className="table-wrap">
          <table aria-labelledby="install-history-title">
            <thead>
              <tr>
                <th scope="col">Tree</th>
                <th scope="col">Committed</th>
                <th scope="col">Declared packages</th>
                <th scope="col">Packages · size</th>
                <th scope="col">Pinned</th>
                {manage ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <HistoryRow
                  key={entry.lockfileHash}
                  entry={entry}
                  manage={manage}
                  busy={busy}
                  onRollback={() => void doRollback(entry.lockfileHash)}
                  onPin={() => void doPin(entry)}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
